package main_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/diagnose"
)

// TestBrowserDiagnosis loads the page built slow on purpose, reloads it,
// then loads the page built fast, with headless Chromium through glassbox,
// and checks that every finding of the diagnosis appears for the slow page
// with the right flows and none for the fast one (issue 17).
func TestBrowserDiagnosis(t *testing.T) {
	browser := chromium(t)
	s := startDiagSite(t)
	home := t.TempDir()
	p, ctx := proxiedBrowser(t, browser, home, s.dnsAddr, s.caFile)
	load := func(what string, action chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		err := chromedp.Do(sctx, action,
			chromedp.Poll[chromedp.Void](`document.getElementById("status") && document.getElementById("status").textContent == "done" && `+
				`Array.from(document.images).every(i => i.complete)`, chromedp.WithPollingTimeout(45*time.Second)))
		if err != nil {
			t.Fatalf("%s: %v\nglassbox log:\n%s", what, err, p.logText())
		}
	}
	load("the slow page", chromedp.Navigate(s.url("slow.test", "/go")))
	load("its reload", chromedp.Reload())
	load("the fast page", chromedp.Navigate(s.url("fast.test", "/")))
	chromedp.Cancel(ctx)
	p.stop(t)

	db := recordedDB(t, home)
	bctx := context.Background()
	pages, err := db.Pages(bctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	conns, lookups, err := store.ConnsAndLookups(bctx, db, 1)
	if err != nil {
		t.Fatal(err)
	}
	var tops []store.Page
	for _, pg := range pages {
		if pg.ParentID == 0 && pg.MergedInto == 0 {
			tops = append(tops, pg)
		}
	}
	if len(tops) != 3 {
		t.Fatalf("want 3 page loads (slow, its reload, fast), got %+v", tops)
	}
	diag := make([]diagnose.Diagnosis, len(tops))
	for i, pg := range tops {
		in, err := diagnose.Load(bctx, db, 1, pages, pg.ID, conns, lookups)
		if err != nil {
			t.Fatal(err)
		}
		diag[i] = diagnose.Diagnose(in)
		t.Logf("page %d %s:\n%s", pg.ID, pg.URL, dumpDiagnosis(in, diag[i]))
	}
	flows, err := db.Flows(bctx, store.FlowQuery{SessionID: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Each page's own flows: those that started before the next load did
	// (the grouping of script requests between a page and its reload is
	// the grouper's matter, tested in grouping_test.go).
	checkSlowFindings(t, s, diag[0], flowsOf(flows, tops[0].ID, tops[1].Start))
	checkReloadFindings(t, s, diag[1], flowsOf(flows, tops[1].ID, tops[2].Start))
	if len(diag[2].Findings) != 0 {
		t.Errorf("the page built fast got findings: %s", findingKinds(diag[2]))
	}
	checkDiagnosisExport(t, home, tops[0].ID, diag[0])
}

// pageFlows are one page load's flows.
type pageFlows []store.Flow

func flowsOf(all []store.Flow, page int64, before time.Time) pageFlows {
	var out pageFlows
	for _, f := range all {
		if f.PageID == page && f.Start.Before(before) {
			out = append(out, f)
		}
	}
	return out
}

func (pf pageFlows) ids(match func(f store.Flow) bool) []int64 {
	var out []int64
	for _, f := range pf {
		if match(f) {
			out = append(out, f.ID)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}

func (pf pageFlows) url(u string) []int64 {
	return pf.ids(func(f store.Flow) bool { return f.URL == u })
}

// finding merges the findings of a kind (many-connections comes once per
// host), keeping only the flows in pf.
func finding(d diagnose.Diagnosis, kind string, pf pageFlows) *diagnose.Finding {
	var out *diagnose.Finding
	for _, f := range d.Findings {
		if f.Kind != kind {
			continue
		}
		if out == nil {
			out = &diagnose.Finding{Kind: kind}
		}
		for _, id := range f.FlowIDs {
			if pf.has(id) {
				out.FlowIDs = append(out.FlowIDs, id)
			}
		}
	}
	if out != nil {
		sort.Slice(out.FlowIDs, func(a, b int) bool { return out.FlowIDs[a] < out.FlowIDs[b] })
	}
	return out
}

func (pf pageFlows) has(id int64) bool {
	for _, f := range pf {
		if f.ID == id {
			return true
		}
	}
	return false
}

func findingKinds(d diagnose.Diagnosis) string {
	var out []string
	for _, f := range d.Findings {
		out = append(out, fmt.Sprintf("%s %v", f.Kind, f.FlowIDs))
	}
	return strings.Join(out, "; ")
}

func dumpDiagnosis(in diagnose.Input, d diagnose.Diagnosis) string {
	var b strings.Builder
	for _, f := range in.Flows {
		fmt.Fprintf(&b, "  flow %d %-10s %s %d conn %d reused %v proto %s/%s init %s:%d %v\n", f.ID, f.ResourceType, f.URL, f.Status,
			f.ConnID, f.ConnReused, f.Proto, f.OriginProto, f.Initiator.Type, f.Initiator.FlowID, f.Duration())
	}
	for _, st := range d.CriticalPath {
		fmt.Fprintf(&b, "  path #%d via %s gap %v dur %v share %.2f\n", st.FlowID, st.Via, st.Gap, st.Dur, st.Share)
	}
	fmt.Fprintf(&b, "  round trips %+v\n", d.RoundTrips)
	for _, f := range d.Findings {
		fmt.Fprintf(&b, "  %s %v: %s | %s\n", f.Kind, f.FlowIDs, f.Title, f.Evidence)
	}
	return b.String()
}

// wantFinding checks that kind was found about exactly the flows want.
func wantFinding(t *testing.T, d diagnose.Diagnosis, pf pageFlows, kind string, want []int64) {
	t.Helper()
	f := finding(d, kind, pf)
	switch {
	case len(want) == 0:
		t.Errorf("%s: the test found no flows to expect (findings: %s)", kind, findingKinds(d))
	case f == nil:
		t.Errorf("no %s finding for flows %v; found %s", kind, want, findingKinds(d))
	case !reflect.DeepEqual(f.FlowIDs, want):
		t.Errorf("%s is about flows %v, want %v", kind, f.FlowIDs, want)
	}
}

// checkSlowFindings: every finding of the issue, about the flows built
// for it.
func checkSlowFindings(t *testing.T, s *diagSite, d diagnose.Diagnosis, pf pageFlows) {
	t.Helper()
	u := func(host, path string) []int64 { return pf.url(s.url(host, path)) }
	cat := func(ids ...[]int64) []int64 {
		var out []int64
		for _, l := range ids {
			out = append(out, l...)
		}
		sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
		return out
	}
	wantFinding(t, d, pf, diagnose.KindRedirectChain, cat(u("slow.test", "/go"), u("slow.test", "/home")))
	// Only a.js's connection paid TLS 1.2's full handshake: the next ones
	// resumed its session, an abbreviated handshake of one round trip.
	wantFinding(t, d, pf, diagnose.KindTLS12, u("old.test", "/a.js"))
	wantFinding(t, d, pf, diagnose.KindConnNotReused, cat(u("old.test", "/b.js"), u("old.test", "/c.js")))
	wantFinding(t, d, pf, diagnose.KindSlowServer, u("slow.test", "/api/slow"))
	wantFinding(t, d, pf, diagnose.KindUncompressed, u("slow.test", "/big.txt"))
	wantFinding(t, d, pf, diagnose.KindRenderBlocking, cat(u("slow.test", "/style.css"), u("old.test", "/a.js")))
	wantFinding(t, d, pf, diagnose.KindLargeImage, u("slow.test", "/big.png"))
	wantFinding(t, d, pf, diagnose.KindNoValidator, pf.ids(func(f store.Flow) bool { return f.Method == "GET" && f.Status == 200 }))
	pics := pf.ids(func(f store.Flow) bool { return strings.Contains(f.URL, "//pics.test:") })
	// Six connections to pics.test (the browser's HTTP/1.1 limit), one
	// per request that opened one; the requests after them waited.
	wantSome(t, d, pf, diagnose.KindManyConns, pf.ids(func(f store.Flow) bool {
		return strings.Contains(f.URL, "//pics.test:") && f.ConnID != 0 && !f.ConnReused
	}))
	if q := finding(d, diagnose.KindQueued, pf); q == nil || len(q.FlowIDs) == 0 || !subset(q.FlowIDs, pics) {
		t.Errorf("want %s about some of the pictures %v; found %s", diagnose.KindQueued, pics, findingKinds(d))
	}
	firstOf := func(host string) []int64 {
		ids := pf.ids(func(f store.Flow) bool {
			return strings.Contains(f.URL, "//"+host+":") && f.ConnID != 0 && !f.ConnReused
		})
		return ids[:min(len(ids), 1)]
	}
	wantSome(t, d, pf, diagnose.KindLookupMissed, cat(firstOf("old.test"), firstOf("pics.test")))
	// The critical path runs from the navigation through the scripts that
	// load one another to the last request the load waited on.
	var path []int64
	for _, st := range d.CriticalPath {
		path = append(path, st.FlowID)
	}
	first := func(ids []int64) []int64 { return ids[:min(len(ids), 1)] }
	if want := cat(u("slow.test", "/go"), u("slow.test", "/home"), u("slow.test", "/start"),
		first(u("old.test", "/a.js")), first(u("old.test", "/b.js")), first(u("old.test", "/c.js"))); len(path) < len(want) || !reflect.DeepEqual(path[:len(want)], want) {
		t.Errorf("critical path %v, want it to begin %v", path, want)
	}
	// It ends at the API call c.js made, which the server held for
	// slowAPIWait, longer than anything else took.
	if api := u("slow.test", "/api/slow"); len(path) == 0 || len(api) != 1 || path[len(path)-1] != api[0] {
		t.Errorf("critical path %v, want it to end at the slow API call %v", path, api)
	}
}

// wantSome checks that kind was found about the flows in must (and maybe
// more of within): which of many parallel requests waited or opened a
// connection depends on the browser's order.
func wantSome(t *testing.T, d diagnose.Diagnosis, pf pageFlows, kind string, must []int64) {
	t.Helper()
	f := finding(d, kind, pf)
	if f == nil || len(must) == 0 {
		t.Errorf("no %s finding (or no flows to expect: %v); found %s", kind, must, findingKinds(d))
		return
	}
	got := map[int64]bool{}
	for _, id := range f.FlowIDs {
		got[id] = true
	}
	for _, id := range must {
		if !got[id] {
			t.Errorf("%s is about flows %v, want it to include %d", kind, f.FlowIDs, id)
		}
	}
}

// checkReloadFindings: the reload downloaded again what had no validator.
func checkReloadFindings(t *testing.T, s *diagSite, d diagnose.Diagnosis, pf pageFlows) {
	t.Helper()
	again := finding(d, diagnose.KindDownloadedAgain, pf)
	if again == nil {
		t.Fatalf("the reload has no %s finding: %s", diagnose.KindDownloadedAgain, findingKinds(d))
	}
	wantSome(t, d, pf, diagnose.KindDownloadedAgain, append(pf.url(s.url("slow.test", "/big.png")), pf.url(s.url("slow.test", "/big.txt"))...))
}

func subset(a, b []int64) bool {
	in := map[int64]bool{}
	for _, id := range b {
		in[id] = true
	}
	for _, id := range a {
		if !in[id] {
			return false
		}
	}
	return true
}

// checkDiagnosisExport: `glassbox export --format md --page N` leads with
// the page's diagnosis, every finding named with its flows.
func checkDiagnosisExport(t *testing.T, home string, page int64, d diagnose.Diagnosis) {
	t.Helper()
	out, stderr, code := glassbox(t, home, "export", "--format", "md", "--page", fmt.Sprint(page))
	if code != 0 {
		t.Fatalf("export --page %d: %s", page, stderr)
	}
	why := strings.Index(out, "### Why this page took its time")
	if why < 0 || why > strings.Index(out, "### Waterfall") {
		t.Fatalf("the report does not lead with the diagnosis:\n%s", out)
	}
	for _, f := range d.Findings {
		if want := fmt.Sprintf("(`%s`, flows %s)", f.Kind, f.FlowsText()); !strings.Contains(out, want) {
			t.Errorf("the report lacks %s", want)
		}
	}
	if os.Getenv("GLASSBOX_KEEP_DIAGNOSIS") != "" {
		os.WriteFile(os.Getenv("GLASSBOX_KEEP_DIAGNOSIS"), []byte(out), 0o644)
	}
}
