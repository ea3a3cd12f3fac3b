// Package diagnose says why a page load took the time it took, from what
// glassbox recorded of it and nothing else: the chain of requests the load
// waited on (the critical path), where the time went phase by phase, how
// many network round trips the page paid for, and named findings, each
// with its numbers, the flows it is about, the evidence and what would
// fix it.
//
// It is pure: functions from a page's records (store types) to a
// Diagnosis, which the inspector's page Story, the Markdown and HTML
// reports and HAR's _insights render. It derives no phase itself: every
// duration comes from store.ComputeTimings, the one owner of that
// arithmetic. It reads HTML with store/refs and bodies with store/codec,
// and imports only those, store, and the standard library (the same rule
// as store, checked by .ci/check-imports).
//
// A proxy knows bytes, times, headers and the HTML that passed through
// it; it does not know what the browser drew or when. Findings claim only
// that: "an image of 300 KiB that the HTML shows at 64×64", never "this
// image is too large for the screen".
package diagnose

import (
	"sort"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// Input is one page load and what was recorded around it.
type Input struct {
	Page store.Page
	// Flows are the page's flows, with their header blocks. The body of
	// the page's document (the navigation's last hop) is read for the
	// HTML findings when present; the others need no bodies.
	Flows   []store.Flow
	Conns   map[int64]*store.Conn
	Lookups map[int64]*store.Lookup
	// Previous are the flows of the load of the same URL just before this
	// one in the session, when this load is a reload (or a return): what
	// was downloaded again is told from them. Nil otherwise.
	Previous []store.Flow
}

// Diagnosis is why a page load took its time.
type Diagnosis struct {
	PageID int64
	// Span is from the first request's start to the last one's end.
	Span time.Duration
	// CriticalPath is the chain of requests from the navigation to the
	// request that ended last, each caused by the one before.
	CriticalPath []Step
	// ByPhase sums each phase over every request of the page (requests
	// overlap, so the sum may exceed Span), in the order of the story.
	ByPhase []PhaseTotal
	// RoundTrips counts the network round trips the page paid for.
	RoundTrips RoundTrips
	Findings   []Finding
}

// Step is one request of the critical path.
type Step struct {
	FlowID int64
	URL    string
	// Via is how the step before caused this one: a store.Init type
	// (navigation, redirect, parser, stylesheet, script).
	Via string
	// Inferred is true when the record does not name the step before: a
	// script's request names no flow, so the step before is the last
	// script that ended before it started (Evidence says so).
	Inferred bool
	// After is the step before's flow; 0 for the first step.
	After int64
	// Start is when the request started, from the start of the page load.
	Start time.Duration
	// Gap is the time between the step before ending and this one
	// starting: the browser reading, parsing or running what it got.
	Gap time.Duration
	// Dur is the request's own time, start to end.
	Dur time.Duration
	// Share is (Gap+Dur) over the page's Span: how much of the load this
	// link of the chain held.
	Share float64
	// Phase is the phase that took most of the request's time.
	Phase string
}

// PhaseTotal is one phase summed over a page.
type PhaseTotal struct {
	Phase string // a store timing phase name
	Label string // store.PhaseInfo's Label
	Total time.Duration
	Flows int // requests that spent time in it
}

// RoundTrips counts network round trips by what paid for them. A TLS 1.3
// handshake costs one, TLS 1.2's two (RFC 8446 §2; RFC 5246 §7.3), a TCP
// handshake one (RFC 9293 §3.5), a DNS query that left glassbox one, and
// each request and response one.
type RoundTrips struct {
	Total    int
	DNS      int
	TCP      int
	TLS      int
	Requests int
}

// Finding is one named reason for slowness, with its evidence.
type Finding struct {
	Kind  string // one of the Kind constants, kebab-case
	Title string // a sentence with the main number
	// Numbers are the finding's measurements, each named.
	Numbers []Number
	// FlowIDs are the flows it is about, in ID order.
	FlowIDs []int64
	// Evidence says which records show it.
	Evidence string
	// Fix says what would make it go away.
	Fix string
}

// Number is one named measurement.
type Number struct {
	Name  string
	Value string
}

// Finding kinds.
const (
	KindRedirectChain   = "redirect-chain"
	KindLookupMissed    = "lookup-missed-cache"
	KindConnNotReused   = "connection-not-reused"
	KindManyConns       = "many-connections"
	KindQueued          = "queued-behind-http1-limit"
	KindTLS12           = "tls12-extra-round-trip"
	KindUncompressed    = "uncompressed-text"
	KindNoValidator     = "no-cache-validator"
	KindNoStore         = "no-store"
	KindDownloadedAgain = "downloaded-again"
	KindLargeImage      = "large-image"
	KindRenderBlocking  = "render-blocking"
	KindSlowServer      = "slow-server"
)

// page is the input made ready for the rules: flows by start, their
// timings, the page's start.
type page struct {
	in      Input
	flows   []*store.Flow
	timings map[int64]store.Timings
	start   time.Time
	end     time.Time
}

// Diagnose tells why the page load in took its time.
func Diagnose(in Input) Diagnosis {
	p := prepare(in)
	d := Diagnosis{PageID: in.Page.ID, Span: store.Between(p.start, p.end)}
	if len(p.flows) == 0 {
		return d
	}
	d.CriticalPath = p.criticalPath(d.Span)
	d.ByPhase = p.byPhase()
	d.RoundTrips = p.roundTrips()
	for _, rule := range rules {
		d.Findings = append(d.Findings, rule(p)...)
	}
	return d
}

// rules are the findings' rules, in the order a report lists them: the
// navigation first, then connections, then what was sent.
var rules = []func(*page) []Finding{
	redirectChain, lookupsMissed, connsNotReused, manyConns, queuedHTTP1, tls12,
	slowServer, renderBlocking, uncompressed, cacheValidators, downloadedAgain, largeImages,
}

func prepare(in Input) *page {
	p := &page{in: in, timings: map[int64]store.Timings{}}
	for i := range in.Flows {
		f := &in.Flows[i]
		if f.Kind == store.KindTunnel || f.Start.IsZero() {
			continue
		}
		p.flows = append(p.flows, f)
		p.timings[f.ID] = store.ComputeTimings(f, p.conn(f))
		if p.start.IsZero() || f.Start.Before(p.start) {
			p.start = f.Start
		}
		if f.End.After(p.end) {
			p.end = f.End
		}
	}
	sort.SliceStable(p.flows, func(a, b int) bool { return p.flows[a].Start.Before(p.flows[b].Start) })
	return p
}

// conn is the flow's connection record, nil when unknown.
func (p *page) conn(f *store.Flow) *store.Conn {
	if f.ConnID == 0 {
		return nil
	}
	return p.in.Conns[f.ConnID]
}

// byID finds a flow of the page.
func (p *page) byID(id int64) *store.Flow {
	for _, f := range p.flows {
		if f.ID == id {
			return f
		}
	}
	return nil
}
