package store_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec/codectest"
)

// req builds a request's headers from name/value pairs.
func hdr(kv ...string) store.Headers {
	var h store.Headers
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, store.Header{Name: kv[i], Value: kv[i+1]})
	}
	return h
}

var (
	navigate  = []string{"Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document", "Accept", "text/html"}
	navFrame  = []string{"Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "iframe", "Accept", "text/html"}
	style     = []string{"Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "style", "Accept", "text/css,*/*;q=0.1"}
	font      = []string{"Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "font"}
	image     = []string{"Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "image", "Accept", "image/avif,image/webp,*/*"}
	fetchAPI  = []string{"Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty", "Accept", "*/*"}
	preflight = []string{"Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty", "Access-Control-Request-Method", "PUT"}
)

func with(base []string, kv ...string) store.Headers {
	return hdr(append(append([]string{}, base...), kv...)...)
}

// step is one request (and optionally its response) in a scripted browsing
// sequence; wantPage is the page it must land in (0 = unattributed).
type step struct {
	name     string
	url      string
	method   string
	headers  store.Headers
	at       time.Duration // since the start of the script
	status   int
	respHdr  store.Headers
	body     []byte
	wantPage int64
	wantType string
	wantInit string
	wantNew  bool
}

// firstPage is the first page record a response asks to write, or nil.
func firstPage(out store.Outcome) *store.Page {
	if len(out.Pages) == 0 {
		return nil
	}
	return &out.Pages[0]
}

func runScript(t *testing.T, steps []step) *store.Grouper {
	t.Helper()
	g := store.NewGrouper()
	t0 := time.Unix(1700000000, 0)
	for i, s := range steps {
		method := s.method
		if method == "" {
			method = "GET"
		}
		a := g.Assign(store.PageRequest{FlowID: int64(i + 1), Method: method, URL: s.url, Headers: s.headers, Start: t0.Add(s.at)})
		status := s.status
		if status == 0 {
			status = 200
		}
		out := g.Response(store.PageResponse{FlowID: int64(i + 1), Status: status, Headers: s.respHdr, Body: s.body, End: t0.Add(s.at + 10*time.Millisecond)})
		if out.PageID != s.wantPage {
			t.Errorf("%s: page %d, want %d", s.name, out.PageID, s.wantPage)
		}
		if (a.NewPage != nil) != s.wantNew {
			t.Errorf("%s: opened a page = %v, want %v", s.name, a.NewPage != nil, s.wantNew)
		}
		if s.wantType != "" && out.ResourceType != s.wantType {
			t.Errorf("%s: type %q, want %q", s.name, out.ResourceType, s.wantType)
		}
		if s.wantInit != "" && out.Initiator.Type != s.wantInit {
			t.Errorf("%s: initiator %+v, want type %q", s.name, out.Initiator, s.wantInit)
		}
	}
	return g
}

func TestGroupingRules(t *testing.T) {
	ms := time.Millisecond
	runScript(t, []step{
		// The user types http://shop.test/: a navigation opens page 1.
		{name: "navigation-opens-page", url: "http://shop.test/", headers: with(navigate), wantPage: 1, wantNew: true, wantType: "document",
			status: 301, respHdr: hdr("Location", "https://shop.test/")},
		// The browser follows the redirect: same page load, no new page.
		{name: "redirect-stays-in-page", url: "https://shop.test/", headers: with(navigate), at: 20 * ms, wantPage: 1, wantType: "document",
			respHdr: hdr("Content-Type", "text/html")},
		// The HTML asks for a stylesheet: Referer is the page's full URL.
		{name: "stylesheet-by-full-referer", url: "https://shop.test/app.css", headers: with(style, "Referer", "https://shop.test/"), at: 40 * ms, wantPage: 1, wantType: "stylesheet"},
		// The stylesheet imports a font from a CDN: Referer is the stylesheet.
		{name: "font-via-stylesheet", url: "https://cdn.test/f.woff2", headers: with(font, "Referer", "https://shop.test/app.css"), at: 60 * ms, wantPage: 1, wantType: "font"},
		// A cross-origin image: strict-origin-when-cross-origin sends only the origin.
		{name: "cross-origin-image-by-origin", url: "https://img.test/a.png", headers: with(image, "Referer", "https://shop.test/"), at: 70 * ms, wantPage: 1, wantType: "image"},
		// A CORS preflight and the fetch after it, Referer origin only.
		{name: "preflight", url: "https://api.test/cart", method: "OPTIONS", headers: with(preflight, "Referer", "https://shop.test/"), at: 80 * ms, wantPage: 1, wantType: "fetch"},
		{name: "fetch", url: "https://api.test/cart", method: "PUT", headers: with(fetchAPI, "Referer", "https://shop.test/"), at: 90 * ms, wantPage: 1, wantType: "fetch"},
		// An iframe from another host is a nested page load (page 2, parent 1).
		{name: "iframe-nested", url: "https://widget.test/frame", headers: with(navFrame, "Referer", "https://shop.test/"), at: 100 * ms, wantPage: 2, wantNew: true, wantType: "document"},
		// The iframe's own script: Referer is the iframe URL.
		{name: "iframe-subresource", url: "https://widget.test/w.js", headers: with([]string{"Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "script"}, "Referer", "https://widget.test/frame"), at: 110 * ms, wantPage: 2, wantType: "script"},
		// A beacon with no Referer moments later: the latest top-level page
		// (its frame was active, so the page was too).
		{name: "no-referer-recent", url: "https://stats.test/b", method: "POST", headers: with(fetchAPI), at: 2 * time.Second, wantPage: 1},
		// The browser's own request (Sec-Fetch-Site: none, not a navigation)
		// during a load: no page asked for it, so it joins none.
		{name: "browser-initiated-unattributed", url: "https://accounts.test/ListAccounts", method: "POST",
			headers: hdr("Sec-Fetch-Site", "none", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "empty"), at: 2*time.Second + ms, wantPage: 0},
		// The user clicks a link: a new page load.
		{name: "click-opens-page", url: "https://shop.test/item/1", headers: with(navigate, "Referer", "https://shop.test/"), at: 5 * time.Second, wantPage: 3, wantNew: true},
		// Its image with a full Referer to the new page.
		{name: "second-page-image", url: "https://shop.test/item/1.png", headers: with(image, "Referer", "https://shop.test/item/1"), at: 5*time.Second + 20*ms, wantPage: 3, wantType: "image"},
		// Much later, a request with no Referer and no recent page: unattributed.
		{name: "no-signal-unattributed", url: "https://stats.test/late", headers: with(fetchAPI), at: 2 * time.Minute, wantPage: 0},
		// A Referer naming an origin no page has: unattributed, not a guess.
		{name: "unknown-origin-unattributed", url: "https://x.test/y.js", headers: with(image, "Referer", "https://elsewhere.test/"), at: 2*time.Minute + ms, wantPage: 0},
	})
}

// Plain HTTP carries no Fetch metadata: a navigation is told by
// Upgrade-Insecure-Requests and Accept; the page's HTML says what it
// loads (and so what type each request is); a fetch() of an HTML fragment
// is not a navigation.
func TestGroupingWithoutFetchMetadata(t *testing.T) {
	ua := "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"
	navKV := []string{"Accept", "text/html,application/xhtml+xml", "Upgrade-Insecure-Requests", "1", "User-Agent", ua}
	navHTTP := hdr(navKV...)
	page := []byte(`<title>Old</title><script src="/x"></script><img src="/logo.svg?v=2"><iframe src="http://ads.test/f"></iframe>`)
	sub := func(kv ...string) store.Headers {
		return hdr(append([]string{"Accept", "*/*", "User-Agent", ua}, kv...)...)
	}
	runScript(t, []step{
		{name: "html-get-navigates", url: "http://old.test/", headers: navHTTP, wantPage: 1, wantNew: true, wantType: "document", wantInit: "navigation",
			respHdr: hdr("Content-Type", "text/html"), body: page},
		{name: "script-by-the-html", url: "http://old.test/x", headers: sub("Referer", "http://old.test/"), at: time.Millisecond, wantPage: 1,
			respHdr: hdr("Content-Type", "application/javascript"), wantType: "script", wantInit: "parser"},
		{name: "image-by-the-html", url: "http://old.test/logo.svg?v=2", headers: hdr("Accept", "image/avif,image/webp,*/*", "Referer", "http://old.test/", "User-Agent", ua), at: 2 * time.Millisecond, wantPage: 1, wantType: "image", wantInit: "parser"},
		// The iframe: a navigation by its headers, a frame by the parent's HTML.
		{name: "iframe-nests", url: "http://ads.test/f", headers: with(navKV, "Referer", "http://old.test/"), at: 3 * time.Millisecond, wantPage: 2, wantNew: true, wantType: "document", wantInit: "parser",
			respHdr: hdr("Content-Type", "text/html"), body: []byte("<p>ad</p>")},
		// pjax: a script fetches an HTML fragment; no page opens.
		{name: "fragment-fetch-is-no-page", url: "http://old.test/frag.html", headers: sub("Referer", "http://old.test/"), at: 4 * time.Millisecond, wantPage: 1,
			respHdr: hdr("Content-Type", "text/html"), body: []byte("<div><img src=/f.png></div>"), wantType: "fetch", wantInit: "script"},
		// A command-line tool while browsing joins no page.
		{name: "curl-is-another-client", url: "http://old.test/api", headers: hdr("Accept", "*/*", "User-Agent", "curl/8.5.0"), at: 5 * time.Millisecond, wantPage: 0, wantInit: "client"},
	})
}

// The classes issue 13 saw grouped wrong, one scenario each.
func TestGroupingByInitiator(t *testing.T) {
	ms := time.Millisecond
	page1 := []byte(`<title>One</title><link rel=stylesheet href="https://cdn.test/s.css">`)
	page2 := []byte(`<title>Two</title><link rel=stylesheet href="https://cdn.test/s.css"><img src="https://img.test/a.png">`)
	sheet := []byte(`@font-face{font-family:F;src:url(f.woff2)}`)
	runScript(t, []step{
		{name: "page-1", url: "https://shop.test/1", headers: with(navigate), wantPage: 1, wantNew: true, wantInit: "navigation", respHdr: hdr("Content-Type", "text/html"), body: page1},
		{name: "sheet-for-page-1", url: "https://cdn.test/s.css", headers: with(style, "Referer", "https://shop.test/"), at: ms, wantPage: 1, wantType: "stylesheet", wantInit: "parser",
			respHdr: hdr("Content-Type", "text/css"), body: sheet},
		{name: "font-for-page-1", url: "https://cdn.test/f.woff2", headers: with(font, "Referer", "https://cdn.test/s.css"), at: 2 * ms, wantPage: 1, wantType: "font", wantInit: "stylesheet"},
		// Page 2 uses the stylesheet from the browser's cache: no request
		// for it, but its font (not cached) comes with the stylesheet as
		// Referer and belongs to page 2.
		{name: "page-2", url: "https://shop.test/2", headers: with(navigate, "Referer", "https://shop.test/1"), at: time.Second, wantPage: 2, wantNew: true, respHdr: hdr("Content-Type", "text/html"), body: page2},
		{name: "font-of-cached-sheet", url: "https://cdn.test/f.woff2", headers: with(font, "Referer", "https://cdn.test/s.css"), at: time.Second + ms, wantPage: 2, wantType: "font", wantInit: "stylesheet"},
		// A cross-origin image: the Referer is the origin only; page 2's
		// HTML has it, page 1's does not.
		{name: "origin-referer-by-reference", url: "https://img.test/a.png", headers: with(image, "Referer", "https://shop.test/"), at: time.Second + 2*ms, wantPage: 2, wantInit: "parser"},
		// A download: the link's response is an attachment; the browser
		// stays on page 2, and the flow with it.
		{name: "download-stays", url: "https://shop.test/report.pdf", headers: with(navigate, "Referer", "https://shop.test/2"), at: 2 * time.Second, wantPage: 2, wantNew: true,
			respHdr: hdr("Content-Type", "application/pdf", "Content-Disposition", `attachment; filename="report.pdf"`)},
		// <a download>: navigate + empty, answered with a file: no page.
		{name: "a-download-stays", url: "https://shop.test/data.csv", headers: hdr("Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "empty", "Referer", "https://shop.test/2"), at: 3 * time.Second, wantPage: 2,
			respHdr: hdr("Content-Type", "text/csv")},
		// A service worker's fetch of a navigation: navigate + empty,
		// answered with a document: a page load, opened by its response.
		{name: "sw-navigation-opens", url: "https://shop.test/3", headers: hdr("Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "empty", "Referer", "https://shop.test/2"), at: 4 * time.Second, wantPage: 4,
			respHdr: hdr("Content-Type", "text/html"), body: []byte("<title>Three</title>"), wantType: "document", wantInit: "navigation"},
		// The browser's own traffic joins no page.
		{name: "browser-background", url: "https://update.test/check", headers: hdr("Sec-Fetch-Site", "none", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "empty"), at: 4*time.Second + ms, wantPage: 0, wantInit: "browser"},
		// A preflight is a fetch, initiated as a preflight.
		{name: "preflight", url: "https://api.test/x", method: "OPTIONS", headers: with(preflight, "Referer", "https://shop.test/"), at: 4*time.Second + 2*ms, wantPage: 4, wantType: "fetch", wantInit: "preflight"},
	})
}

func TestPageTitle(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("<!doctype html><html><head><TITLE>\n  Caf&eacute; &amp; shop </TITLE></head>"))
	zw.Close()
	g := store.NewGrouper()
	t0 := time.Now()
	a := g.Assign(store.PageRequest{FlowID: 1, Method: "GET", URL: "https://cafe.test/", Headers: with(navigate), Start: t0})
	p := firstPage(g.Response(store.PageResponse{FlowID: 1, Status: 200, Headers: hdr("Content-Type", "text/html", "Content-Encoding", "gzip"), Body: gz.Bytes(), End: t0}))
	if a.NewPage == nil || p == nil || p.Title != "Café & shop" || p.ID != a.PageID {
		t.Fatalf("title page = %+v", p)
	}
	// A reload answered 304 keeps the title the page had.
	g.Assign(store.PageRequest{FlowID: 9, Method: "GET", URL: "https://cafe.test/", Headers: with(navigate), Start: t0})
	if p := firstPage(g.Response(store.PageResponse{FlowID: 9, Status: 304, End: t0})); p == nil || p.Title != "Café & shop" {
		t.Errorf("304 reload page = %+v", p)
	}
	// A sub-resource's HTML never renames the page.
	g.Assign(store.PageRequest{FlowID: 2, Method: "GET", URL: "https://cafe.test/frag", Headers: with(fetchAPI, "Referer", "https://cafe.test/"), Start: t0})
	if p := firstPage(g.Response(store.PageResponse{FlowID: 2, Status: 200, Headers: hdr("Content-Type", "text/html"), Body: []byte("<title>x</title>"), End: t0})); p != nil {
		t.Errorf("fetch renamed the page: %+v", p)
	}
}

// The title is read through the one body decoder: every coding a browser
// accepts names its page.
func TestPageTitleEveryCoding(t *testing.T) {
	doc := []byte("<html><head><title>Shop</title></head><body>" + strings.Repeat("x", 2000) + "</body></html>")
	for _, tc := range []struct {
		coding string
		body   []byte
	}{
		{"", doc},
		{"gzip", codectest.Encode(t, "gzip", doc)},
		{"deflate", codectest.Encode(t, "deflate", doc)}, // zlib-framed, as RFC 9110 §8.4.1.2 asks
		{"br", codectest.Encode(t, "br", doc)},
		{"zstd", codectest.Encode(t, "zstd", doc)},
	} {
		t.Run("coding-"+tc.coding, func(t *testing.T) {
			g := store.NewGrouper()
			t0 := time.Now()
			g.Assign(store.PageRequest{FlowID: 1, Method: "GET", URL: "https://shop.test/", Headers: with(navigate), Start: t0})
			p := firstPage(g.Response(store.PageResponse{FlowID: 1, Status: 200, Headers: hdr("Content-Type", "text/html", "Content-Encoding", tc.coding), Body: tc.body, End: t0}))
			if p == nil || p.Title != "Shop" {
				t.Fatalf("page = %+v, want the title Shop", p)
			}
		})
	}
}

func TestRequestTypeFromDest(t *testing.T) {
	for _, tc := range []struct {
		dest, want string
	}{
		{"document", "document"}, // a top-level navigation
		{"iframe", "document"},   // a frame's document
		{"style", "stylesheet"},  // <link rel=stylesheet>
		{"script", "script"},     // <script src>
		{"worker", "script"},     // new Worker()
		{"image", "image"},       // <img>, CSS background
		{"font", "font"},         // @font-face
		{"video", "media"},       // <video>
		{"empty", "fetch"},       // fetch() and XMLHttpRequest
		{"manifest", "other"},    // web app manifest
	} {
		t.Run(tc.dest, func(t *testing.T) {
			if got := store.RequestType("GET", "https://a.test/x", hdr("Sec-Fetch-Dest", tc.dest)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzGrouper: any sequence of requests and responses keeps the grouping's
// invariants: pages are numbered from 1 without gaps, a page's parent is an
// earlier page, and every flow lands in an existing page or in none.
func FuzzGrouper(f *testing.F) {
	f.Add("https://a.test/", "navigate", "document", "", 200, "", "<title>x</title>")
	f.Add("https://a.test/s.css", "no-cors", "style", "https://a.test/", 200, "", "")
	f.Add("http://a.test/", "navigate", "iframe", "https://a.test/", 301, "https://a.test/x", "")
	f.Add("::", "", "", "%zz", 0, "//", "<title")
	f.Fuzz(func(t *testing.T, u, mode, dest, ref string, status int, loc, body string) {
		g := store.NewGrouper()
		t0 := time.Unix(1700000000, 0)
		opened := int64(0)
		for i := int64(1); i <= 4; i++ { // the same request a few times: redirects and reloads
			h := hdr("Sec-Fetch-Mode", mode, "Sec-Fetch-Dest", dest, "Referer", ref, "Accept", "text/html")
			a := g.Assign(store.PageRequest{FlowID: i, Method: "GET", URL: u, Headers: h, Start: t0.Add(time.Duration(i) * time.Second)})
			if a.NewPage != nil {
				opened++
				if a.NewPage.ID != opened || a.NewPage.ParentID >= a.NewPage.ID {
					t.Fatalf("page %+v after %d opened", a.NewPage, opened-1)
				}
			}
			if a.PageID < 0 || a.PageID > opened {
				t.Fatalf("flow in page %d of %d", a.PageID, opened)
			}
			out := g.Response(store.PageResponse{FlowID: i, Status: status, Headers: hdr("Location", loc, "Content-Type", "text/html"), Body: []byte(body)})
			for _, p := range out.Pages {
				if p.ID > opened+1 || p.ParentID >= p.ID || p.MergedInto >= p.ID && p.MergedInto != 0 && p.MergedInto > opened+1 {
					t.Fatalf("page record %+v after %d opened", p, opened)
				}
				if p.ID == opened+1 {
					opened++
				}
			}
			if out.PageID < 0 || out.PageID > opened {
				t.Fatalf("flow in page %d of %d after its response", out.PageID, opened)
			}
		}
	})
}

// BenchmarkGrouper measures Assign + Response per request over a stream of
// page loads as a browser makes them: a navigation whose HTML has a title,
// then 40 sub-resources with the page as Referer (stylesheets, scripts,
// images, API calls), on 20 hosts, 2 ms apart. Past MaxURLs the URL index
// evicts, which the benchmark reaches at large b.N.
func BenchmarkGrouper(b *testing.B) {
	g := store.NewGrouper()
	t0 := time.Unix(1700000000, 0)
	nav := store.Headers{{Name: "Sec-Fetch-Mode", Value: "navigate"}, {Name: "Sec-Fetch-Dest", Value: "document"}, {Name: "Sec-Fetch-Site", Value: "none"}}
	html := store.Headers{{Name: "Content-Type", Value: "text/html; charset=utf-8"}}
	body := []byte("<!doctype html><html><head><title>Shop: item</title></head><body>...</body></html>")
	kinds := []struct{ dest, ext, ctype string }{
		{"style", ".css", "text/css"}, {"script", ".js", "text/javascript"},
		{"image", ".png", "image/png"}, {"empty", "", "application/json"},
	}
	var pageURL string
	pages := 0
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		at := t0.Add(time.Duration(i) * 2 * time.Millisecond)
		var req store.PageRequest
		var resp store.PageResponse
		if i%41 == 1 {
			pages++
			pageURL = fmt.Sprintf("https://shop%d.test/item/%d", pages%20, pages)
			req = store.PageRequest{FlowID: int64(i), Method: "GET", URL: pageURL, Headers: nav, Start: at}
			resp = store.PageResponse{FlowID: int64(i), Status: 200, Headers: html, Body: body, End: at.Add(time.Millisecond)}
		} else {
			k := kinds[i%len(kinds)]
			u := fmt.Sprintf("https://cdn%d.test/asset/%d%s", i%20, i, k.ext)
			h := store.Headers{{Name: "Referer", Value: pageURL}, {Name: "Sec-Fetch-Dest", Value: k.dest}, {Name: "Sec-Fetch-Mode", Value: "no-cors"}, {Name: "Sec-Fetch-Site", Value: "cross-site"}}
			req = store.PageRequest{FlowID: int64(i), Method: "GET", URL: u, Headers: h, Start: at}
			resp = store.PageResponse{FlowID: int64(i), Status: 200, Headers: store.Headers{{Name: "Content-Type", Value: k.ctype}}, End: at.Add(time.Millisecond)}
		}
		a := g.Assign(req)
		if a.PageID == 0 {
			b.Fatalf("request %d (%s) was not placed in a page", i, req.URL)
		}
		g.Response(resp)
	}
	b.ReportMetric(float64(pages), "pages")
}

// An origin-only Referer on a cross-origin request (the default
// strict-origin-when-cross-origin policy) names the origin, not the
// document at its "/": a script of a reload of /go belongs to that
// reload, not to an older page load whose document was "/" and which
// referenced the same script.
func TestOriginOnlyRefererIsNotTheRootDocument(t *testing.T) {
	ms := time.Millisecond
	html := []byte(`<title>T</title><script src="https://cdn.test/a.js"></script>`)
	script := with([]string{"Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "script"}, "Referer", "https://slow.test/")
	runScript(t, []step{
		{name: "root-page", url: "https://slow.test/", headers: with(navigate), wantPage: 1, wantNew: true, respHdr: hdr("Content-Type", "text/html"), body: html},
		{name: "root-script", url: "https://cdn.test/a.js", headers: script, at: ms, wantPage: 1, wantInit: "parser"},
		{name: "go-page", url: "https://slow.test/go", headers: with(navigate), at: time.Second, wantPage: 2, wantNew: true, respHdr: hdr("Content-Type", "text/html"), body: html},
		{name: "go-script", url: "https://cdn.test/a.js", headers: script, at: time.Second + ms, wantPage: 2, wantInit: "parser"},
		{name: "go-reload", url: "https://slow.test/go", headers: with(navigate), at: 2 * time.Second, wantPage: 3, wantNew: true, respHdr: hdr("Content-Type", "text/html"), body: html},
		{name: "reload-script", url: "https://cdn.test/a.js", headers: script, at: 2*time.Second + ms, wantPage: 3, wantInit: "parser"},
		// A script's cross-origin call no HTML names: the latest page of
		// the origin, a guess, not the root document's page.
		{name: "api-call", url: "https://api.test/data", headers: with(fetchAPI, "Referer", "https://slow.test/"), at: 2*time.Second + 5*ms, wantPage: 3, wantInit: "script"},
	})
}
