package main_test

// The scorer: glassbox's grouping against the browser's own record.
//
// How the expectations are derived, one for each request that reached
// glassbox:
//
//   - The requests are those the browser's DevTools reported (every tab,
//     its iframes, every service worker; one per redirect hop), less those
//     its cache or a service worker answered: they never reach the proxy,
//     though they still say which stylesheet a font came from and which
//     page request a worker fetched. <a download> requests come from
//     Browser.downloadWillBegin. What no DevTools can report comes from the
//     scenario itself: the browser's background traffic and another
//     program, which the test sends with a Go client (expectedBy), and the
//     browser's real background traffic, the flows to hosts outside the
//     site that no tab or worker made (page and initiator only).
//   - Page: the top-level page load the request was made in. A main-frame
//     request: its document's loader. An iframe's: the page its tab
//     showed (HAR's pageref rule). A navigation: its own load when it
//     committed, else the page the tab stayed on (a download). Redirect
//     hops: their chain's. A preflight: its request's. A service worker's
//     request that answers a page's request (same method and URL, answered
//     "from service worker"): everything that request would have had. The
//     worker's own requests (its script, its precache): the page that
//     registered it; a later fetch of its script is the browser's update
//     check: no page, browser.
//   - Type (cdpType): Document->document, Stylesheet->stylesheet,
//     Script->script, Image->image, Font->font, XHR/Fetch/EventSource->fetch,
//     Preflight->fetch, Media/TextTrack->media, WebSocket->websocket,
//     Ping/Manifest/Other->other, a prefetch (CDP type Prefetch, or
//     Sec-Purpose: prefetch, which Chromium 156 reports as Other) -> what it
//     fetched, by the response's MIME type; <a download> -> other.
//   - Initiator (cdpInitiator): a hop after a redirect -> redirect, with
//     the previous hop's flow. parser with an HTML document's URL -> parser
//     with that document's flow; parser with a stylesheet's URL ->
//     stylesheet with its flow; either with FlowID 0 and the URL when the
//     browser's cache (or prefetch cache) served the document or
//     stylesheet; script -> script; preflight -> preflight;
//     other -> navigation for a main-frame document; other for anything
//     else (an image a script created loads outside any script stack; a
//     worker's script, which register() asked for) -> script. FlowID must
//     be exactly right: 0 where no recorded flow caused the request.
//
// Matching: the expectations and glassbox's flows are paired by method
// and URL, in order (the browser's arrival order, glassbox's flow IDs),
// never by time. An expectation with no flow is wrong on every criterion.
//
// Right page: the flow's page, or the top-level page that contains it, is
// the page load expected. Glassbox's page IDs are tied to the browser's
// page loads one to one, each pair taken in order of how many flows
// agree (the most first).

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/chromedp/cdproto/network"

	"github.com/glassbox-dev/glassbox/store"
)

// expectation is what glassbox should have recorded for one request.
type expectation struct {
	Class, Method, URL string
	Seq                int
	Page               pageKey // zero: no page
	Type               string  // "": not scored
	Init               string
	InitFrom           *seen  // the request whose flow is the initiator's FlowID; nil: 0
	InitURL            string // checked when set (a stylesheet from the cache)
	From               *seen  // the browser's report; nil for a scripted request
	Flow               *store.Flow
}

// browserRecord is everything the browser reported, as devtools.record
// returns it.
type browserRecord struct {
	reqs      []*seen
	committed map[pageKey]string // main-frame loads that committed, with their URL
}

// expectations derives one expectation per request that reached glassbox.
func expectations(rec browserRecord, scripted []*expectation) []*expectation {
	var out []*expectation
	used := map[*seen]bool{}
	for _, r := range rec.reqs {
		switch {
		case r.Cached || r.FromSW:
			continue
		case r.Source == "worker":
			if p := answered(rec.reqs, r, used); p != nil {
				e := expect(rec, p)
				e.Method, e.URL, e.Seq, e.From = r.Method, r.URL, r.Seq, r
				out = append(out, e)
				continue
			}
			out = append(out, workerOwn(r))
			continue
		}
		out = append(out, expect(rec, r))
	}
	out = append(out, scripted...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// answered finds the page request a worker's request answered: the first
// one not yet taken that a service worker answered, with its method, URL
// and Referer (fetch(event.request) keeps the page's; the worker's own
// requests name the worker's script). Arrival order across a tab and a
// worker is no guide: they are two sessions.
func answered(reqs []*seen, w *seen, used map[*seen]bool) *seen {
	for _, p := range reqs {
		if p.FromSW && !used[p] && p.Source != "worker" && p.Method == w.Method && p.URL == w.URL && p.Referer == w.Referer {
			used[p] = true
			return p
		}
	}
	return nil
}

// workerOwn is the expectation of a request a service worker made on its
// own: its script (registration: the page that registered it; a later
// fetch: the browser's update check) or its precache (the registering page).
func workerOwn(r *seen) *expectation {
	e := &expectation{Class: r.Class, Method: r.Method, URL: r.URL, Seq: r.Seq, Page: r.Owner,
		Type: cdpType(r), Init: store.InitScript, From: r}
	if r.Type == network.ResourceTypeScript && (r.Init.URL == r.URL || r.Init.URL == "") {
		e.Page, e.Init = pageKey{}, store.InitBrowser
	}
	return e
}

// expect is the expectation of a request a page made.
func expect(rec browserRecord, r *seen) *expectation {
	e := &expectation{Class: r.Class, Method: r.Method, URL: r.URL, Seq: r.Seq, Page: r.Page, Type: cdpType(r), From: r}
	if r.Nav {
		if _, ok := rec.committed[r.Page]; !ok {
			e.Page = r.Before // the browser stayed where it was
		}
	}
	if r.Download {
		e.Type, e.Init = store.TypeOther, store.InitNavigation
		return e
	}
	e.Init, e.InitFrom, e.InitURL = cdpInitiator(rec.reqs, r)
	return e
}

// cdpTypes maps the browser's resource types to glassbox's; any other
// (Ping, Manifest, Other, CSPViolationReport...) is other.
var cdpTypes = map[network.ResourceType]string{
	network.ResourceTypeDocument:    store.TypeDocument,
	network.ResourceTypeStylesheet:  store.TypeStylesheet,
	network.ResourceTypeScript:      store.TypeScript,
	network.ResourceTypeImage:       store.TypeImage,
	network.ResourceTypeFont:        store.TypeFont,
	network.ResourceTypeXHR:         store.TypeFetch,
	network.ResourceTypeFetch:       store.TypeFetch,
	network.ResourceTypeEventSource: store.TypeFetch,
	network.ResourceTypePreflight:   store.TypeFetch,
	network.ResourceTypeMedia:       store.TypeMedia,
	network.ResourceTypeTextTrack:   store.TypeMedia,
	network.ResourceTypeWebSocket:   store.TypeWebSocket,
}

// cdpType is the type glassbox should give a request: the browser's,
// mapped; a preflight's is fetch (Chromium reports it as Other first); a
// prefetch's is what it fetched.
func cdpType(r *seen) string {
	switch {
	case r.Init.Type == network.InitiatorTypePreflight:
		return store.TypeFetch
	case r.Type == network.ResourceTypePrefetch || strings.Contains(r.Purpose, "prefetch"):
		return mimeType(r.MIME)
	case cdpTypes[r.Type] != "":
		return cdpTypes[r.Type]
	}
	return store.TypeOther
}

// mimeType is the type of what a prefetch fetched.
func mimeType(mime string) string {
	switch {
	case mime == "text/html":
		return store.TypeDocument
	case mime == "text/css":
		return store.TypeStylesheet
	case strings.Contains(mime, "javascript"):
		return store.TypeScript
	case strings.HasPrefix(mime, "image/"):
		return store.TypeImage
	case strings.HasPrefix(mime, "font/"):
		return store.TypeFont
	}
	return store.TypeOther
}

// cdpInitiator maps the browser's initiator to glassbox's: the type, the
// request whose flow caused this one (nil: none) and, for a stylesheet
// the cache served, its URL.
func cdpInitiator(reqs []*seen, r *seen) (typ string, from *seen, u string) {
	switch {
	case r.Prev != nil:
		return store.InitRedirect, r.Prev, ""
	case r.Init.Type == network.InitiatorTypePreflight:
		return store.InitPreflight, nil, ""
	case r.Init.Type == network.InitiatorTypeScript:
		return store.InitScript, nil, ""
	case r.Init.Type == network.InitiatorTypeOther && r.Nav:
		return store.InitNavigation, nil, ""
	case r.Init.Type == network.InitiatorTypeOther:
		return store.InitScript, nil, ""
	case r.Init.Type != network.InitiatorTypeParser && r.Init.Type != network.InitiatorTypePreload:
		return store.InitUnknown, nil, ""
	}
	if r.Type == network.ResourceTypeDocument {
		// An iframe's document: the parent document names it.
		return cause(store.InitParser, latest(reqs, r, func(o *seen) bool {
			return o.Type == network.ResourceTypeDocument && o.URL == r.Init.URL
		}))
	}
	if css := latest(reqs, r, func(o *seen) bool {
		return o.Type == network.ResourceTypeStylesheet && o.URL == r.Init.URL
	}); css != nil {
		return cause(store.InitStylesheet, css)
	}
	// The document of the request's own frame (its URL may have changed
	// since, by pushState).
	return cause(store.InitParser, latest(reqs, r, func(o *seen) bool {
		return o.Type == network.ResourceTypeDocument && o.Loader == r.Loader
	}))
}

// cause is an initiator caused by the document or stylesheet from: its
// flow, or, when the browser's cache answered it (glassbox never saw it
// then), FlowID 0 and its URL.
func cause(typ string, from *seen) (string, *seen, string) {
	if from != nil && from.Cached {
		return typ, nil, from.URL
	}
	return typ, from, ""
}

// latest is the last request of r's source before r that ok accepts.
func latest(reqs []*seen, r *seen, ok func(*seen) bool) *seen {
	var found *seen
	for _, o := range reqs {
		if o.Seq >= r.Seq {
			break
		}
		if o.Source == r.Source && ok(o) {
			found = o
		}
	}
	return found
}

// match pairs expectations with flows by method and URL, in order, and
// returns the flows no expectation took.
func match(exps []*expectation, flows []store.Flow) (unmatched []*store.Flow) {
	byKey := map[string][]*store.Flow{}
	for i := range flows {
		k := flows[i].Method + " " + normURL(flows[i].URL)
		byKey[k] = append(byKey[k], &flows[i])
	}
	for _, e := range exps {
		k := e.Method + " " + normURL(e.URL)
		if q := byKey[k]; len(q) > 0 {
			e.Flow, byKey[k] = q[0], q[1:]
		}
	}
	for _, q := range byKey {
		unmatched = append(unmatched, q...)
	}
	sort.Slice(unmatched, func(i, j int) bool { return unmatched[i].ID < unmatched[j].ID })
	return unmatched
}

// normURL drops the fragment, which never reaches a server.
func normURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// flowOf is the flow that carried a request: its own, or for a request a
// service worker answered, the worker's.
func flowOf(exps []*expectation) map[*seen]*store.Flow {
	m := map[*seen]*store.Flow{}
	for _, e := range exps {
		if e.From != nil && e.Flow != nil {
			m[e.From] = e.Flow
		}
	}
	return m
}

// tieFlowsOfAnswered lets a page request a worker answered stand for the
// worker's flow (the SW-fetched document is the parser of its page).
func tieFlowsOfAnswered(rec browserRecord, exps []*expectation, flows map[*seen]*store.Flow) {
	used := map[*seen]bool{}
	for _, e := range exps {
		if e.From != nil && e.From.Source == "worker" {
			if p := answered(rec.reqs, e.From, used); p != nil {
				flows[p] = flows[e.From]
			}
		}
	}
}

// criteria are what a request is scored on.
var criteria = []string{"page", "type", "initiator"}

// verdict is one request's score, with what was wanted and got where wrong.
type verdict struct {
	e         *expectation
	right     [3]bool
	scored    [3]bool
	want, got [3]string
}

// pageMap ties each expected page load to one of glassbox's top-level
// pages, one to one: the pairs with the most flows in agreement first
// (ties: the earlier page load, then the lower page ID).
func pageMap(exps []*expectation, top func(int64) int64) map[pageKey]int64 {
	type pair struct {
		load  pageKey
		order int // of the page load's first request
		page  int64
		flows int
	}
	index := map[pageKey]map[int64]*pair{}
	order := map[pageKey]int{}
	var pairs []*pair
	for _, e := range exps {
		if e.Page == (pageKey{}) || e.Flow == nil || e.Flow.PageID == 0 {
			continue
		}
		if index[e.Page] == nil {
			index[e.Page], order[e.Page] = map[int64]*pair{}, len(order)
		}
		p := top(e.Flow.PageID)
		if index[e.Page][p] == nil {
			index[e.Page][p] = &pair{load: e.Page, order: order[e.Page], page: p}
			pairs = append(pairs, index[e.Page][p])
		}
		index[e.Page][p].flows++
	}
	sort.SliceStable(pairs, func(i, j int) bool {
		a, b := pairs[i], pairs[j]
		if a.flows != b.flows {
			return a.flows > b.flows
		}
		if a.order != b.order {
			return a.order < b.order
		}
		return a.page < b.page
	})
	out, taken := map[pageKey]int64{}, map[int64]bool{}
	for _, p := range pairs {
		if _, done := out[p.load]; !done && !taken[p.page] {
			out[p.load], taken[p.page] = p.page, true
		}
	}
	return out
}

// judge scores every expectation.
func judge(rec browserRecord, exps []*expectation, pages []store.Page) []verdict {
	parent := map[int64]int64{}
	for _, p := range pages {
		parent[p.ID] = p.ParentID
	}
	top := func(id int64) int64 {
		for n := 0; parent[id] != 0 && n < 64; n++ {
			id = parent[id]
		}
		return id
	}
	tied := pageMap(exps, top)
	flows := flowOf(exps)
	tieFlowsOfAnswered(rec, exps, flows)
	var out []verdict
	for _, e := range exps {
		v := verdict{e: e, scored: [3]bool{true, e.Type != "", true}}
		v.want[0] = describePage(rec, e.Page, tied)
		v.want[1] = e.Type
		v.want[2] = describeInit(e.Init, flows[e.InitFrom], e.InitFrom, e.InitURL)
		if f := e.Flow; f != nil {
			v.got[0] = fmt.Sprintf("page %d", f.PageID)
			if f.PageID != 0 && top(f.PageID) != f.PageID {
				v.got[0] += fmt.Sprintf(" (in page %d)", top(f.PageID))
			}
			v.got[1] = f.ResourceType
			v.got[2] = fmt.Sprintf("%s flow %d", orNone(f.Initiator.Type), f.Initiator.FlowID)
			if f.Initiator.URL != "" {
				v.got[2] += " " + f.Initiator.URL
			}
			want, ok := tied[e.Page]
			v.right[0] = e.Page == (pageKey{}) && f.PageID == 0 || ok && f.PageID != 0 && top(f.PageID) == want
			v.right[1] = f.ResourceType == e.Type
			wantFlow := int64(0)
			if from := flows[e.InitFrom]; from != nil {
				wantFlow = from.ID
			}
			v.right[2] = f.Initiator.Type == e.Init && (e.InitFrom == nil || flows[e.InitFrom] != nil) &&
				f.Initiator.FlowID == wantFlow && (e.InitURL == "" || normURL(f.Initiator.URL) == normURL(e.InitURL))
		} else {
			v.got = [3]string{"not recorded", "not recorded", "not recorded"}
		}
		out = append(out, v)
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func describePage(rec browserRecord, k pageKey, tied map[pageKey]int64) string {
	if k == (pageKey{}) {
		return "no page"
	}
	s := fmt.Sprintf("%s %s", k.tab, rec.committed[k])
	if p, ok := tied[k]; ok {
		return s + fmt.Sprintf(" (page %d)", p)
	}
	return s + " (no page of glassbox's)"
}

func describeInit(typ string, from *store.Flow, fromSeen *seen, u string) string {
	switch {
	case from != nil:
		return fmt.Sprintf("%s flow %d", typ, from.ID)
	case fromSeen != nil:
		return fmt.Sprintf("%s of %s (not recorded)", typ, fromSeen.URL)
	case u != "":
		return fmt.Sprintf("%s flow 0 %s", typ, u)
	}
	return typ + " flow 0"
}

// score is N right of M on each criterion.
type score struct{ right, total [3]int }

// count scores each class.
func count(vs []verdict) map[string]*score {
	out := map[string]*score{}
	for _, v := range vs {
		c := out[v.e.Class]
		if c == nil {
			c = &score{}
			out[v.e.Class] = c
		}
		for i := range criteria {
			if v.scored[i] {
				c.total[i]++
				if v.right[i] {
					c.right[i]++
				}
			}
		}
	}
	return out
}

// report lists the score per class and criterion, then every wrong
// request with what was wanted and what glassbox recorded.
func report(vs []verdict, scores map[string]*score, unmatched []*store.Flow) string {
	var b strings.Builder
	classes := make([]string, 0, len(scores))
	for c := range scores {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	fmt.Fprintf(&b, "%-22s %-9s %-9s %-9s\n", "class", "page", "type", "initiator")
	for _, c := range classes {
		fmt.Fprintf(&b, "%-22s", c)
		for i := range criteria {
			fmt.Fprintf(&b, " %-9s", fmt.Sprintf("%d/%d", scores[c].right[i], scores[c].total[i]))
		}
		b.WriteString("\n")
	}
	for _, c := range classes {
		for _, v := range vs {
			if v.e.Class != c || v.right == v.scored {
				continue
			}
			fmt.Fprintf(&b, "wrong: %s %s %s\n", c, v.e.Method, v.e.URL)
			for i, name := range criteria {
				if v.scored[i] && !v.right[i] {
					fmt.Fprintf(&b, "    %-9s want %s; got %s\n", name, v.want[i], v.got[i])
				}
			}
		}
	}
	for _, f := range unmatched {
		fmt.Fprintf(&b, "not scored (no request of the browser's record): flow %d %s %s page %d\n", f.ID, f.Method, f.URL, f.PageID)
	}
	return b.String()
}
