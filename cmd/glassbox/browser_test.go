package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/storetest"
)

// chromium finds the browser, or skips loudly: the browser suite is the
// proof that page grouping works on what a real browser sends.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "SKIPPED: the browser suite needs Chromium (apt-get install chromium); .ci/run installs it"
	fmt.Fprintln(os.Stderr, "\n*** "+msg+" ***")
	t.Skip(msg)
	return ""
}

// startBrowser starts headless Chromium browsing through the proxy at
// proxyAddr, trusting glassbox's CA by its SPKI hash, and returns the
// context of its first tab; the browser closes when the test ends (or at
// chromedp.Cancel). The flags keep it from its own background traffic,
// which this closed network would refuse (FIELD-NOTES.md); extra adds a
// test's own.
func startBrowser(t *testing.T, browser, proxyAddr, spki string, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-features", "HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,MediaRouter,OptimizationHints,IsolateOrigins,site-per-process"),
		chromedp.Flag("disable-site-isolation-trials", true),
		chromedp.ProxyServer("http://" + proxyAddr),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("ignore-certificate-errors-spki-list", spki),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The first action starts the browser: no timeout on it (chromedp's rule);
	// each step after gets its own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// proxiedBrowser starts glassbox in home, resolving through dnsAddr and
// trusting the origins' CA in caFile, and Chromium browsing through it
// (extra: the test's own flags); it returns the proxy and the browser's
// first tab.
func proxiedBrowser(t *testing.T, browser, home, dnsAddr, caFile string, extra ...chromedp.ExecAllocatorOption) (*running, context.Context) {
	t.Helper()
	p := startProxy(t, home, "--dns", dnsAddr, "--hosts", "none", "--upstream-ca", caFile)
	spki, _, code := glassbox(t, home, "ca", "--spki")
	if code != 0 {
		t.Fatal("ca --spki failed")
	}
	return p, startBrowser(t, browser, p.addr, strings.TrimSpace(spki), extra...)
}

// TestBrowserPageLoads browses the fixture site with headless Chromium
// through the real glassbox binary and checks the recorded page loads.
func TestBrowserPageLoads(t *testing.T) {
	browser := chromium(t)
	s := startSite(t)
	home := t.TempDir()
	p, ctx := proxiedBrowser(t, browser, home, s.dnsAddr, s.caFile)
	step := func(limit time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
		sctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		return chromedp.Do(sctx, steps...)
	}

	// 1. Type http://shop.test/: redirect to https, the page and all it pulls in.
	err := step(60*time.Second,
		chromedp.Navigate(s.url("http", "shop.test", "/")),
		chromedp.WaitVisible(chromedp.ID("status")),
		chromedp.Poll[chromedp.Void](`document.getElementById("status").textContent.startsWith("api: ok")`, chromedp.WithPollingTimeout(30*time.Second)),
	)
	if err != nil {
		t.Fatalf("first page: %v\nglassbox log:\n%s", err, p.logText())
	}
	storetest.Eventually(t, 30*time.Second, "the iframe, its script and the font", func() bool {
		return s.seen("widget.test", "/w.js", 200) > 0 && s.seen("cdn.test", "/font.woff2", 200) > 0 && s.seen("img.test", "/logo.png", 200) > 0
	})
	// 2. Click through to the second page.
	if err := step(30*time.Second, chromedp.Click(chromedp.ID("next")), chromedp.WaitVisible(chromedp.ID("p2"))); err != nil {
		t.Fatalf("click: %v\nglassbox log:\n%s", err, p.logText())
	}
	storetest.Eventually(t, 20*time.Second, "the second page's stylesheet", func() bool {
		return s.seen("shop.test", "/local.css", 304)+s.seen("shop.test", "/local.css", 200) >= 2
	})
	// 3. Reload: the browser revalidates what it has (If-None-Match -> 304).
	if err := step(30*time.Second, chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("p2"))); err != nil {
		t.Fatalf("reload: %v", err)
	}
	storetest.Eventually(t, 20*time.Second, "the revalidated page", func() bool { return s.seen("shop.test", "/page2.html", 304) > 0 })
	chromedp.Cancel(ctx) // close the browser before stopping the proxy
	p.stop(t)

	db := recordedDB(t, home)
	bctx := context.Background()
	pages, _ := db.Pages(bctx, 1)
	flows, _ := db.Flows(bctx, store.FlowQuery{SessionID: 1})
	var dump strings.Builder
	for _, pg := range pages {
		fmt.Fprintf(&dump, "page %d (parent %d) %q %s\n", pg.ID, pg.ParentID, pg.Title, pg.URL)
	}
	for _, f := range flows {
		fmt.Fprintf(&dump, "  flow %d page %d %-10s %s %s -> %d %v\n", f.ID, f.PageID, f.ResourceType, f.Method, f.URL, f.Status, f.Error)
		if f.PageID == 0 {
			fmt.Fprintf(&dump, "      site=%q mode=%q dest=%q referer=%q\n", f.ReqHeaders.Get("Sec-Fetch-Site"),
				f.ReqHeaders.Get("Sec-Fetch-Mode"), f.ReqHeaders.Get("Sec-Fetch-Dest"), f.ReqHeaders.Get("Referer"))
		}
	}
	t.Logf("recorded:\n%s", dump.String())

	// The page loads: the shop (with the redirect), its iframe nested in it,
	// the second page, and the reload of the second page.
	var tops []store.Page
	var frame *store.Page
	for i, pg := range pages {
		if pg.ParentID == 0 {
			tops = append(tops, pg)
		} else {
			frame = &pages[i]
		}
	}
	if len(tops) != 3 || tops[0].Title != "Glassbox Shop" || tops[1].Title != "Second page" || tops[2].Title != "Second page" {
		t.Fatalf("top-level pages wrong:\n%s", dump.String())
	}
	if frame == nil || frame.ParentID != tops[0].ID || frame.Title != "Widget" {
		t.Fatalf("iframe page wrong:\n%s", dump.String())
	}

	// Every flow in the right page with the right type.
	type want struct {
		page int64
		typ  string
	}
	expect := map[string]want{
		"GET " + s.url("http", "shop.test", "/"):              {tops[0].ID, "document"},
		"GET " + s.url("https", "shop.test", "/"):             {tops[0].ID, "document"},
		"GET " + s.url("https", "cdn.test", "/style.css"):     {tops[0].ID, "stylesheet"},
		"GET " + s.url("https", "cdn.test", "/font.woff2"):    {tops[0].ID, "font"},
		"GET " + s.url("https", "shop.test", "/app.js"):       {tops[0].ID, "script"},
		"GET " + s.url("https", "img.test", "/logo.png"):      {tops[0].ID, "image"},
		"GET " + s.url("https", "shop.test", "/missing.png"):  {tops[0].ID, "image"},
		"OPTIONS " + s.url("https", "api.test", "/cart"):      {tops[0].ID, "fetch"},
		"PUT " + s.url("https", "api.test", "/cart"):          {tops[0].ID, "fetch"},
		"GET " + s.url("https", "widget.test", "/frame.html"): {frame.ID, "document"},
		"GET " + s.url("https", "widget.test", "/w.js"):       {frame.ID, "script"},
	}
	found := map[string]bool{}
	var page2 []store.Flow
	for _, f := range flows {
		key := f.Method + " " + f.URL
		if strings.HasSuffix(f.URL, "/page2.html") {
			page2 = append(page2, f)
			continue
		}
		w, ok := expect[key]
		if !ok || found[key] {
			continue // favicon and second fetches of shared files are checked below
		}
		found[key] = true
		if f.PageID != w.page || f.ResourceType != w.typ {
			t.Errorf("%s: page %d type %q, want page %d type %q", key, f.PageID, f.ResourceType, w.page, w.typ)
		}
	}
	for key := range expect {
		if !found[key] {
			t.Errorf("not recorded: %s", key)
		}
	}
	if len(page2) != 2 || page2[0].PageID != tops[1].ID || page2[0].Status != 200 ||
		page2[1].PageID != tops[2].ID || page2[1].Status != 304 {
		t.Errorf("second page and its reload wrong:\n%s", dump.String())
	}
	for _, f := range flows {
		if strings.HasSuffix(f.URL, "/missing.png") && f.Status != 404 {
			t.Errorf("missing.png status %d", f.Status)
		}
	}

	checkCompare(t, home, db, tops[1], tops[2])

	// The HAR export: one page per top-level page load, every pageref right
	// (the iframe's entries carry the pageref of the page containing it).
	raw, errOut, code := glassbox(t, home, "export", "--format", "har")
	if code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	var doc struct {
		Log struct {
			Pages []struct {
				ID    string `json:"id"`
				Title string `json:"title"`
			} `json:"pages"`
			Entries []struct {
				PageRef string   `json:"pageref"`
				Notes   []string `json:"_notes"`
				Request struct {
					Method, URL string
				} `json:"request"`
			} `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Log.Pages) != 3 {
		t.Fatalf("HAR pages %+v", doc.Log.Pages)
	}
	refOf := map[int64]string{tops[0].ID: doc.Log.Pages[0].ID, frame.ID: doc.Log.Pages[0].ID,
		tops[1].ID: doc.Log.Pages[1].ID, tops[2].ID: doc.Log.Pages[2].ID}
	notes := 0
	for i, e := range doc.Log.Entries {
		f := flows[i]
		if f.PageID != 0 && e.PageRef != refOf[f.PageID] {
			t.Errorf("entry %s %s: pageref %q, want %q", e.Request.Method, e.Request.URL, e.PageRef, refOf[f.PageID])
		}
		notes += len(e.Notes)
	}
	if notes == 0 {
		t.Error("no _notes in the HAR export: the explanations are missing")
	}

	// The readable reports of the same session.
	for _, format := range []string{"md", "html"} {
		out, errOut, code := glassbox(t, home, "export", "--format", format)
		if code != 0 || !strings.Contains(out, "Glassbox Shop") || !strings.Contains(out, "Second page") || !strings.Contains(out, "preflight") {
			t.Errorf("export --format %s: exit %d %s\n%.400s", format, code, errOut, out)
		}
	}
	one, _, _ := glassbox(t, home, "export", "--format", "har", "--page", fmt.Sprint(tops[1].ID))
	if strings.Count(one, `"pageref"`) != 2 || !strings.Contains(one, "Second page") {
		t.Errorf("--page export: %.300s", one)
	}
}
