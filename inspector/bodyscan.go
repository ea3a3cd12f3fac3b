package inspector

import (
	"context"
	"fmt"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
)

// Searching bodies for the filter's body terms (body:TEXT, body~REGEX).
// A list row holds no body, so the flows' bodies are read in the
// background, scanChunk flows at a time, each chunk's hits handed to the
// UI goroutine, which adds them to the filter's record and shows the list
// grow; new flows (live) are scanned as they arrive. Typing another filter
// cancels the scan of the last one. Measured at 100,000 flows: see
// docs/BENCHMARKS.md, "Body search".

const (
	// scanChunk is how many flows one background read scans: small enough
	// that the list grows several times a second, large enough that the
	// reads cost little beside the decoding.
	scanChunk = 2000
	// scanBatch is how many flows (with their bodies) one query reads.
	scanBatch = 200
)

// bodyScan is the state of the scan for the filter in force.
type bodyScan struct {
	hits    *model.BodyHits // the filter whose bodies are scanned (nil: none)
	running bool
	cancel  context.CancelFunc
	started time.Time
	report  bool // say how many matched once the scan is done
}

// scanBodies starts (or goes on with) the scan of the bodies the filter in
// force has not seen yet. It does nothing for a filter without body terms.
func (a *app) scanBodies() {
	f := a.m.Filter()
	hits := f.Hits()
	if hits != a.scan.hits { // another filter: drop the last one's scan
		if a.scan.cancel != nil {
			a.scan.cancel()
		}
		a.scan = bodyScan{hits: hits, started: a.now(), report: a.scan.report}
	}
	if hits == nil || a.scan.running || a.session.ID == 0 || hits.UpTo() >= a.m.LastID() {
		return
	}
	ctx, cancel := context.WithCancel(a.ctx)
	a.scan.running, a.scan.cancel = true, cancel
	sid, after, last := a.session.ID, hits.UpTo(), a.m.LastID()
	a.goBackground(func() func(*app) {
		found, err := scanChunkOf(ctx, a.opts.Reader, f, sid, after, last)
		return func(a *app) {
			if a.scan.hits != hits {
				return // the filter changed meanwhile: its own scan runs
			}
			a.scan.running = false
			cancel()
			if err != nil {
				a.setMsg(render.ErrorText, "cannot search the bodies: "+err.Error())
				return
			}
			hits.Add(found)
			a.m.SetFilter(f) // the same filter, more hits: rebuild the list
			a.dirty = true
			a.scanBodies()
			if !a.scan.running {
				a.scanDone(f)
			}
		}
	})
}

// scanChunkOf scans the bodies of up to scanChunk flows after the ID
// after, in the background. Having read to the end, it counts every flow
// up to last as scanned.
func scanChunkOf(ctx context.Context, r store.Reader, f model.Filter, sid, after, last int64) (*model.BodyHits, error) {
	found := model.NewBodyHits()
	sc := f.NewScanner()
	n := 0
	q := store.FlowQuery{SessionID: sid, AfterID: after, Limit: scanChunk, WithBodies: true}
	err := store.EachFlow(ctx, r, q, scanBatch, func(fl *store.Flow) error {
		found.Set(fl.ID, sc.Scan(fl))
		found.Reached(fl.ID)
		n++
		return nil
	})
	if err == nil && n < scanChunk {
		found.Reached(last)
	}
	return found, err
}

// scanDone says, once a filter's scan has read every body, how many flows
// it matched.
func (a *app) scanDone(f model.Filter) {
	if !a.scan.report || a.editing {
		return
	}
	a.scan.report = false
	a.setMsg(render.Dim, fmt.Sprintf("%s %s (bodies of %s searched in %s)", explain.Plural(a.m.Shown(), "flow"),
		matchVerb(a.m.Shown())+" "+f.String(), explain.Plural(a.m.FlowCount(), "flow"), render.Dur(a.now().Sub(a.scan.started))))
}

// scanProgress is the header's word on a running scan, "" when none runs.
func (a *app) scanProgress() string {
	if a.scan.hits == nil || !a.scan.running {
		return ""
	}
	return fmt.Sprintf("searching bodies: #%d of %d", a.scan.hits.UpTo(), a.m.LastID())
}

func matchVerb(n int) string {
	if n == 1 {
		return "matches"
	}
	return "match"
}
