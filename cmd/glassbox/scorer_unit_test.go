package main_test

import (
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"

	"github.com/glassbox-dev/glassbox/store"
)

// scorerFixture is a small browsing session as the browser reported it,
// and the flows and pages a grouping that gets everything right records:
// page A with a stylesheet, its font and an iframe; page B with the same
// stylesheet from the browser's cache and the font again; a link on B
// answered as a download; curl's request.
func scorerFixture() (browserRecord, []*expectation, []store.Flow, []store.Page) {
	const main = cdp.FrameID("main")
	a, b, c := pageKey{"tab1", "LA"}, pageKey{"tab1", "LB"}, pageKey{"tab1", "LC"}
	parser := func(u string) network.Initiator { return network.Initiator{Type: network.InitiatorTypeParser, URL: u} }
	other := network.Initiator{Type: network.InitiatorTypeOther}
	reqs := []*seen{
		{URL: "https://a.test/", Type: network.ResourceTypeDocument, Init: other, Loader: "LA", Nav: true, Page: a},
		{URL: "https://cdn.test/s.css", Type: network.ResourceTypeStylesheet, Init: parser("https://a.test/"), Loader: "LA", Page: a},
		{URL: "https://cdn.test/f.woff2", Type: network.ResourceTypeFont, Init: parser("https://cdn.test/s.css"), Loader: "LA", Page: a},
		{URL: "https://w.test/frame.html", Type: network.ResourceTypeDocument, Init: parser("https://a.test/"), Loader: "LF", Frame: "f1", Page: a},
		{URL: "https://a.test/b", Type: network.ResourceTypeDocument, Init: other, Loader: "LB", Nav: true, Page: b, Before: a},
		{URL: "https://cdn.test/s.css", Type: network.ResourceTypeStylesheet, Init: parser("https://a.test/b"), Loader: "LB", Page: b, Cached: true},
		{URL: "https://cdn.test/f.woff2", Type: network.ResourceTypeFont, Init: parser("https://cdn.test/s.css"), Loader: "LB", Page: b},
		{URL: "https://a.test/report.csv", Type: network.ResourceTypeDocument, Init: other, Loader: "LC", Nav: true, Page: c, Before: b},
	}
	for i, r := range reqs {
		r.Class, r.Source, r.Seq, r.Method = "fixture", "tab1", i+1, "GET"
		if r.Frame == "" {
			r.Frame = main
		}
	}
	rec := browserRecord{reqs: reqs, committed: map[pageKey]string{a: "https://a.test/", b: "https://a.test/b"}}
	curl := &expectation{Class: "fixture", Method: "GET", URL: "https://api.test/status", Seq: 99, Type: store.TypeFetch, Init: store.InitClient}
	in := func(page int64, typ, init string, from int64, u string) store.Flow {
		return store.Flow{PageID: page, Method: "GET", ResourceType: typ, Initiator: store.Initiator{Type: init, FlowID: from, URL: u}}
	}
	flows := []store.Flow{
		in(1, store.TypeDocument, store.InitNavigation, 0, ""),
		in(1, store.TypeStylesheet, store.InitParser, 1, ""),
		in(1, store.TypeFont, store.InitStylesheet, 2, ""),
		in(2, store.TypeDocument, store.InitParser, 1, ""),
		in(3, store.TypeDocument, store.InitNavigation, 0, ""),
		in(3, store.TypeFont, store.InitStylesheet, 0, "https://cdn.test/s.css"),
		in(3, store.TypeDocument, store.InitNavigation, 0, ""),
		in(0, store.TypeFetch, store.InitClient, 0, ""),
	}
	for i, u := range []string{"https://a.test/", "https://cdn.test/s.css", "https://cdn.test/f.woff2", "https://w.test/frame.html",
		"https://a.test/b", "https://cdn.test/f.woff2", "https://a.test/report.csv", "https://api.test/status"} {
		flows[i].ID, flows[i].URL = int64(i+1), u
	}
	pages := []store.Page{{ID: 1}, {ID: 2, ParentID: 1}, {ID: 3}}
	return rec, []*expectation{curl}, flows, pages
}

// TestBrowserScorer checks the scorer on a fixture: a right grouping
// scores every request right, and each kind of mistake costs exactly the
// criterion it breaks (a missing initiator is wrong, not skipped).
func TestBrowserScorer(t *testing.T) {
	type spoiler = func(flows []store.Flow, pages *[]store.Page)
	tests := []struct {
		name  string
		spoil spoiler
		right [3]int // of 8 requests: page, type, initiator
	}{
		{"all-right", func([]store.Flow, *[]store.Page) {}, [3]int{8, 8, 8}},
		{"no-initiators", func(f []store.Flow, _ *[]store.Page) {
			for i := range f {
				f[i].Initiator = store.Initiator{}
			}
		}, [3]int{8, 8, 0}},
		{"font-from-cached-stylesheet-in-first-page", func(f []store.Flow, _ *[]store.Page) { f[5].PageID = 1 }, [3]int{7, 8, 8}},
		{"cached-stylesheet-named-by-earlier-flow", func(f []store.Flow, _ *[]store.Page) {
			f[5].Initiator = store.Initiator{Type: store.InitStylesheet, FlowID: 2}
		}, [3]int{8, 8, 7}},
		{"iframe-as-top-level-page", func(_ []store.Flow, p *[]store.Page) { (*p)[1].ParentID = 0 }, [3]int{7, 8, 8}},
		{"download-opened-a-page", func(f []store.Flow, p *[]store.Page) {
			f[6].PageID, *p = 4, append(*p, store.Page{ID: 4})
		}, [3]int{7, 8, 8}},
		{"client-joined-a-page", func(f []store.Flow, _ *[]store.Page) {
			f[7].PageID, f[7].Initiator.Type = 3, store.InitScript
		}, [3]int{7, 8, 7}},
		// Page B's three requests in page A: only one load can be page 1.
		{"two-pages-in-one", func(f []store.Flow, _ *[]store.Page) { f[4].PageID, f[5].PageID, f[6].PageID = 1, 1, 1 }, [3]int{5, 8, 8}},
		// A's font never recorded: B's font takes its place in the
		// pairing (page B, no flow 2), so both are wrong.
		{"flow-lost", func(f []store.Flow, _ *[]store.Page) { f[2].URL = "https://cdn.test/elsewhere.woff2" }, [3]int{6, 7, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, scripted, flows, pages := scorerFixture()
			tt.spoil(flows, &pages)
			exps := expectations(rec, scripted)
			unmatched := match(exps, flows)
			vs := judge(rec, exps, pages)
			got := count(vs)["fixture"]
			if got.right != tt.right || got.total != [3]int{8, 8, 8} {
				t.Errorf("right %v of %v, want %v of 8\n%s", got.right, got.total, tt.right, report(vs, count(vs), unmatched))
			}
		})
	}
}
