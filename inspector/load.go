package inspector

import (
	"fmt"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
)

// Reading from the store. Every read runs in a goroutine (goBackground)
// and returns a function the UI goroutine applies. At most one read of
// each kind runs at a time: a tick that finds one still running skips.

const (
	// firstBatch is how many flow summaries the first read of a session
	// returns, so the first screen of a large session shows at once;
	// flowBatch is the size of the reads after it (fewer rebuilds of the
	// list while the rest arrives).
	firstBatch = 2000
	flowBatch  = 20000
	// pagesEvery is how often page records are re-read while recording
	// even when no flow arrived: a page's title comes after its request.
	pagesEvery = 2 * time.Second
	// connsEvery bounds re-reading the session's connections when a flow
	// names one not read yet.
	connsEvery = time.Second
	// pageFlowsMax caps the flows read in full (headers, no bodies) to tell
	// one page load's story.
	pageFlowsMax = 5000
)

type loadState struct {
	flows, detail, export, session bool
	resend                         bool // a resend is on its way (one at a time)
	compare                        bool // two page loads are being read to compare
	pagesAt                        time.Time
	first                          bool // the first read of the session is done
}

// openSession switches to a session (0: the latest) and starts reading it.
func (a *app) openSession(id int64) {
	a.load.session = true
	first := a.session.ID == 0
	a.goBackground(func() func(*app) {
		s, err := a.opts.Reader.Session(a.ctx, id)
		return func(a *app) {
			a.load.session = false
			if err != nil {
				if first {
					a.fatal = fmt.Errorf("open session: %w", err)
				} else {
					a.setMsg(render.ErrorText, "cannot open the session: "+err.Error())
				}
				return
			}
			if a.opts.Live && a.liveID == 0 {
				a.liveID = s.ID
			}
			a.session = s
			a.m.Reset()
			if f := a.m.Filter(); f.HasBody() { // its hits were the last session's flows
				f, _ = model.ParseFilter(f.String())
				a.m.SetFilter(f)
			}
			a.conns, a.lookups, a.connsAt, a.maxConnID = map[int64]*store.Conn{}, map[int64]*store.Lookup{}, time.Time{}, 0
			a.m.SetConns(a.conns)
			a.detail.reset()
			a.load.first, a.load.pagesAt = false, time.Time{}
			a.tabOf, a.focus = [2]int{}, focusList
			a.readStats() // the first frame of a live session warns of drops, not the first poll
			a.fetchFlows()
		}
	})
}

// fetchFlows reads the flows after the last one seen (by key, never by
// offset) and, when flows came or it is time, the page records.
func (a *app) fetchFlows() {
	if a.load.flows || a.load.session || a.session.ID == 0 {
		return
	}
	a.load.flows = true
	sid := a.session.ID
	q := a.flowQuery()
	limit := q.Limit
	pagesDue := a.now().Sub(a.load.pagesAt) >= pagesEvery
	connsKnown, connsDue := a.maxConnID, a.now().Sub(a.connsAt) >= connsEvery
	a.goBackground(func() func(*app) {
		flows, err := a.opts.Reader.Flows(a.ctx, q)
		var pages []store.Page
		var notes []store.Annotation
		var conns map[int64]*store.Conn
		var lookups map[int64]*store.Lookup
		var perr error
		if err == nil && (len(flows) > 0 || pagesDue) {
			pages, perr = a.opts.Reader.Pages(a.ctx, sid)
			if perr == nil {
				notes, perr = store.Annotations(a.ctx, a.opts.Reader, sid)
			}
		}
		if err == nil && perr == nil && connsDue && opensConnAfter(flows, connsKnown) {
			// The list draws a new connection's DNS, TCP and TLS time from
			// its record: read the records with the flows that need them.
			conns, lookups, perr = a.readConns(sid)
		}
		return func(a *app) {
			a.load.flows = false
			if sid != a.session.ID {
				return // another session was opened meanwhile
			}
			if err == nil {
				err = perr
			}
			if err != nil {
				a.setMsg(render.ErrorText, "cannot read flows: "+err.Error())
				return
			}
			if conns != nil {
				a.connsAt = a.now()
				a.setConns(conns, lookups)
			}
			a.applyFlows(flows, pages)
			if pages != nil && a.m.SetAnnotations(notes) {
				a.dirty = true
			}
			if len(flows) == limit {
				a.fetchFlows() // more are waiting: read on now
			} else {
				a.load.first = true
			}
		}
	})
}

// flowQuery is the next read of flows: by change while the session is
// recorded (a flow written again, in flight then ended, comes again; one
// that began before others is never left behind), else by ID.
func (a *app) flowQuery() store.FlowQuery {
	q := store.FlowQuery{SessionID: a.session.ID, AfterID: a.m.LastID(), Limit: flowBatch, Summary: true}
	if a.byChange() {
		q.Changed, q.AfterRev = true, a.m.LastRev()
	}
	if a.m.FlowCount() == 0 {
		q.Limit = firstBatch
	}
	return q
}

// byChange says the session is read by change (store.FlowQuery.Changed):
// while it is recorded, when its flows change after they first appear.
// A session that ended is read by ID, in the order requests arrived: its
// flows no longer change, and a resend adds new IDs.
func (a *app) byChange() bool {
	return a.isLive() || (a.session.Ended.IsZero() && a.session.Source == "proxy")
}

func (a *app) applyFlows(flows []store.Flow, pages []store.Page) {
	if pages != nil {
		a.load.pagesAt = a.now()
		if a.m.SetPages(pages) {
			a.dirty = true
		}
	}
	if len(flows) == 0 {
		return
	}
	a.m.Add(flows)
	a.scanBodies() // a body filter reads the new flows' bodies too
	if a.follow && a.focus == focusList {
		a.m.SelectNewest()
	}
	a.selectResent()
	a.dirty = true
}

// opensConnAfter reports whether a flow opened a connection with an ID
// above known, whose record has not been read.
func opensConnAfter(flows []store.Flow, known int64) bool {
	for i := range flows {
		if !flows[i].ConnReused && flows[i].ConnID > known {
			return true
		}
	}
	return false
}

// setConns keeps newly read connection and lookup records.
func (a *app) setConns(conns map[int64]*store.Conn, lookups map[int64]*store.Lookup) {
	a.conns, a.lookups = conns, lookups
	for id := range conns {
		a.maxConnID = max(a.maxConnID, id)
	}
	a.m.SetConns(conns)
	a.detail.version++ // the details drawn from the old records are stale
	a.dirty = true
}

// needConns reports whether a connection named by a flow is missing and
// the last read is old enough to read them again.
func (a *app) needConns(ids ...int64) bool {
	for _, id := range ids {
		if id != 0 && a.conns[id] == nil {
			return a.now().Sub(a.connsAt) >= connsEvery
		}
	}
	return false
}

// readConns reads every connection and lookup of a session (background).
func (a *app) readConns(sid int64) (map[int64]*store.Conn, map[int64]*store.Lookup, error) {
	return store.ConnsAndLookups(a.ctx, a.opts.Reader, sid)
}

// readPageFlows reads a page load's flows with headers (no bodies), by the
// range of IDs its summaries span.
func (a *app) readPageFlows(sid int64, ids []int64) ([]store.Flow, error) {
	if len(ids) == 0 {
		return []store.Flow{}, nil
	}
	want := make(map[int64]bool, len(ids))
	lo, hi := ids[0], ids[0]
	for _, id := range ids {
		want[id] = true
		lo, hi = min(lo, id), max(hi, id)
	}
	out := []store.Flow{}
	err := store.EachFlow(a.ctx, a.opts.Reader, store.FlowQuery{SessionID: sid, AfterID: lo - 1, Limit: int(min(hi-lo+1, pageFlowsMax))}, 500,
		func(f *store.Flow) error {
			if want[f.ID] {
				out = append(out, *f)
			}
			return nil
		})
	return out, err
}

// neighbour reads one flow's headers (no bodies), or nil.
func (a *app) neighbour(sid, id int64) *store.Flow {
	if id == 0 {
		return nil
	}
	fs, err := a.opts.Reader.Flows(a.ctx, store.FlowQuery{SessionID: sid, AfterID: id - 1, Limit: 1})
	if err != nil || len(fs) == 0 || fs[0].ID != id {
		return nil
	}
	return &fs[0]
}
