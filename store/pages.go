package store

import (
	"bytes"
	"html"
	"strings"
	"sync"
	"time"

	"github.com/glassbox-dev/glassbox/store/codec"
)

// Grouper decides, as each request arrives, which page load it belongs to.
// The proxy calls Assign for every request and Response for every response,
// so the live view groups as it happens. It keeps only what it needs to
// place later requests, bounded in size.
//
// The signals a proxy sees:
//   - Sec-Fetch-Mode: navigate with Sec-Fetch-Dest: document (or iframe) marks
//     a navigation; a GET for HTML with no Sec-Fetch headers at all counts too
//     (older browsers, scripts);
//   - a redirect's Location, which the browser navigates to next, staying in
//     the same page load;
//   - Referer, the full URL of the document or stylesheet that asked, or
//     only its origin for cross-origin requests under the default
//     strict-origin-when-cross-origin policy;
//   - time, when nothing else is left.
//
// A request with no usable signal goes to the most recent page only if that
// page was active moments ago, else to no page (ID 0, "unattributed").
type Grouper struct {
	// RedirectWindow is how long a redirect's target is expected (30s).
	RedirectWindow time.Duration
	// OriginWindow is how recently a page must have been active to take a
	// request whose Referer is only an origin (60s).
	OriginWindow time.Duration
	// IdleWindow is how recently the latest page must have been active to
	// take a request with no Referer at all (5s).
	IdleWindow time.Duration
	// MaxURLs bounds the URL index (100,000).
	MaxURLs int

	mu        sync.Mutex
	nextID    int64
	pages     []*pageState // in opening order
	byID      map[int64]*pageState
	urls      map[string]urlEntry // flow URL (normalised) -> page that fetched it most recently
	redirects map[string]urlEntry // redirect target (normalised) -> page of the redirect
	flows     map[int64]flowEntry // in-flight flows
}

type pageState struct {
	page   Page
	origin string
	last   time.Time
	docURL string // the URL the page finally landed on (after redirects)
}

type urlEntry struct {
	page int64
	at   time.Time
}

type flowEntry struct {
	page    int64
	url     string
	reqType string
	doc     bool // the navigation request of its page (or a redirect hop of it)
}

// PageRequest is what Assign needs to know about a request.
type PageRequest struct {
	FlowID  int64
	Method  string
	URL     string
	Headers Headers
	Start   time.Time
}

// Assignment is Assign's answer.
type Assignment struct {
	PageID       int64 // 0: unattributed
	ResourceType string
	// NewPage is set when this request opened a page load; record it.
	NewPage *Page
}

// NewGrouper returns a Grouper whose page IDs start at 1.
func NewGrouper() *Grouper {
	return &Grouper{
		RedirectWindow: 30 * time.Second,
		OriginWindow:   60 * time.Second,
		IdleWindow:     5 * time.Second,
		MaxURLs:        100_000,
		byID:           map[int64]*pageState{},
		urls:           map[string]urlEntry{},
		redirects:      map[string]urlEntry{},
		flows:          map[int64]flowEntry{},
	}
}

// IsNavigation reports whether a request loads a document into a window or
// frame, and whether that is a frame.
func IsNavigation(method string, h Headers) (nav, frame bool) {
	mode := strings.ToLower(h.Get("Sec-Fetch-Mode"))
	dest := strings.ToLower(h.Get("Sec-Fetch-Dest"))
	if mode != "" || dest != "" {
		if mode != "navigate" && mode != "nested-navigate" {
			return false, false
		}
		switch dest {
		case "iframe", "frame", "fencedframe", "embed", "object":
			return true, true
		case "document", "":
			return true, false
		}
		return false, false
	}
	// No Fetch metadata: an HTML GET is the best sign of a navigation.
	if (method == "GET" || method == "") && strings.Contains(strings.ToLower(h.Get("Accept")), "text/html") {
		return true, false
	}
	return false, false
}

// Assign places a request in a page load as it arrives.
func (g *Grouper) Assign(r PageRequest) Assignment {
	g.mu.Lock()
	defer g.mu.Unlock()
	a := Assignment{ResourceType: RequestType(r.Method, r.URL, r.Headers)}
	key := NormalizeURL(r.URL)
	nav, frame := IsNavigation(r.Method, r.Headers)
	if nav {
		a.ResourceType = TypeDocument
	}
	switch {
	case nav && g.isRedirectTarget(key, r.Start):
		// A redirect chain stays in the page it began.
		red := g.redirects[key]
		delete(g.redirects, key)
		a.PageID = red.page
		if ps := g.byID[red.page]; ps != nil {
			ps.docURL = r.URL
		}
	case nav:
		parent := int64(0)
		if frame {
			parent = g.refererPage(r.Headers.Get("Referer"), r.Start)
			if parent == 0 {
				parent = g.latestTop()
			}
		}
		g.nextID++
		p := Page{ID: g.nextID, ParentID: parent, FlowID: r.FlowID, URL: r.URL, Start: r.Start}
		ps := &pageState{page: p, origin: Origin(r.URL), last: r.Start, docURL: r.URL}
		g.pages = append(g.pages, ps)
		g.byID[p.ID] = ps
		a.PageID = p.ID
		a.NewPage = &p
	case strings.EqualFold(r.Headers.Get("Sec-Fetch-Site"), "none"):
		// Not a navigation, and no page asked for it: the browser's own
		// traffic (sign-in checks, updates, safe-browsing). Fetch metadata
		// says so explicitly; it belongs to no page load.
	default:
		a.PageID = g.refererPage(r.Headers.Get("Referer"), r.Start)
		if a.PageID == 0 && r.Headers.Get("Referer") == "" {
			a.PageID = g.activeTop(r.Start)
		}
	}
	if ps := g.byID[a.PageID]; ps != nil && r.Start.After(ps.last) {
		ps.last = r.Start
	}
	g.remember(key, a.PageID, r.Start)
	g.flows[r.FlowID] = flowEntry{page: a.PageID, url: r.URL, reqType: a.ResourceType, doc: nav}
	return a
}

func (g *Grouper) isRedirectTarget(key string, at time.Time) bool {
	red, ok := g.redirects[key]
	return ok && at.Sub(red.at) <= g.RedirectWindow
}

// refererPage finds the page a Referer points at: first by the full URL of
// a document or sub-resource already seen (page -> stylesheet -> font), then,
// for an origin-only Referer, the most recent page of that origin.
func (g *Grouper) refererPage(ref string, at time.Time) int64 {
	if ref == "" {
		return 0
	}
	if e, ok := g.urls[NormalizeURL(ref)]; ok && e.page != 0 {
		return e.page
	}
	origin := Origin(ref)
	if origin == "" {
		return 0
	}
	// Most recent first; a handful of pages back is plenty.
	for i, n := len(g.pages)-1, 0; i >= 0 && n < 64; i, n = i-1, n+1 {
		ps := g.pages[i]
		if ps.origin == origin || Origin(ps.docURL) == origin {
			if at.Sub(ps.last) <= g.OriginWindow {
				return ps.page.ID
			}
			return 0
		}
	}
	return 0
}

// activeTop returns the latest top-level page if it, or a frame inside it,
// was active within IdleWindow of at; else 0.
func (g *Grouper) activeTop(at time.Time) int64 {
	var last time.Time
	for i := len(g.pages) - 1; i >= 0; i-- {
		ps := g.pages[i]
		if ps.last.After(last) {
			last = ps.last
		}
		if ps.page.ParentID == 0 {
			if at.Sub(last) <= g.IdleWindow {
				return ps.page.ID
			}
			return 0
		}
	}
	return 0
}

func (g *Grouper) latestTop() int64 {
	for i := len(g.pages) - 1; i >= 0; i-- {
		if g.pages[i].page.ParentID == 0 {
			return g.pages[i].page.ID
		}
	}
	return 0
}

func (g *Grouper) remember(u string, page int64, at time.Time) {
	if page == 0 {
		return
	}
	g.urls[u] = urlEntry{page: page, at: at}
	if len(g.urls) > g.MaxURLs {
		// Forget the older half: pages that old no longer take new requests
		// by Referer anyway.
		var times []time.Time
		for _, e := range g.urls {
			times = append(times, e.at)
		}
		cut := midpoint(times)
		for k, e := range g.urls {
			if !e.at.After(cut) {
				delete(g.urls, k)
			}
		}
	}
}

// midpoint is the moment halfway between the oldest and the newest of ts:
// entries up to it are about the older half when requests come steadily,
// and a prune by it is cheap (it runs only when the index is full).
func midpoint(ts []time.Time) time.Time {
	var min, max time.Time
	for i, t := range ts {
		if i == 0 || t.Before(min) {
			min = t
		}
		if i == 0 || t.After(max) {
			max = t
		}
	}
	return min.Add(max.Sub(min) / 2)
}

// PageResponse is what Response needs to know about a response.
type PageResponse struct {
	FlowID      int64
	Status      int
	Headers     Headers
	Body        []byte // the stored copy (maybe truncated, maybe compressed)
	End         time.Time
	ContentType string
}

// Response updates the grouping with a response: a redirect's target is
// expected next in the same page; a document's <title> names its page. It
// returns the page when it changed (record it again) and the flow's final
// resource type.
func (g *Grouper) Response(r PageResponse) (changed *Page, resourceType string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	fe, ok := g.flows[r.FlowID]
	if !ok {
		return nil, ResponseType("", r.Headers.Get("Content-Type"), "")
	}
	delete(g.flows, r.FlowID)
	resourceType = ResponseType(fe.reqType, r.Headers.Get("Content-Type"), fe.url)
	ps := g.byID[fe.page]
	if ps != nil && r.End.After(ps.last) {
		ps.last = r.End
	}
	if target, ok := RedirectTarget(fe.url, r.Status, r.Headers.Get("Location")); ok && fe.page != 0 {
		g.redirects[target] = urlEntry{page: fe.page, at: r.End}
	}
	if fe.doc && ps != nil && ps.page.Title == "" {
		var t string
		switch {
		case r.Status >= 200 && r.Status < 300:
			t = htmlTitle(r.Body, r.Headers.Get("Content-Encoding"))
		case r.Status == 304:
			// Revalidated: the browser shows the copy it had, whose title an
			// earlier load of the same URL told us.
			t = g.titleOf(fe.url, ps)
		}
		if t != "" {
			ps.page.Title = t
			p := ps.page
			changed = &p
		}
	}
	return changed, resourceType
}

// titleOf returns the title of the latest other page that landed on u.
func (g *Grouper) titleOf(u string, except *pageState) string {
	for i := len(g.pages) - 1; i >= 0; i-- {
		if ps := g.pages[i]; ps != except && NormalizeURL(ps.docURL) == NormalizeURL(u) && ps.page.Title != "" {
			return ps.page.Title
		}
	}
	return ""
}

// titleScan bounds how much of a document is decoded to find its <title>,
// which belongs in <head>, near the top.
const titleScan = 256 << 10

// htmlTitle reads the <title> of an HTML document from the stored body,
// undoing its content coding (a cut copy decodes as far as it goes).
func htmlTitle(body []byte, encoding string) string {
	if len(body) == 0 {
		return ""
	}
	data, _, err := codec.Decode(body, encoding, titleScan)
	if err != nil && len(data) == 0 {
		return ""
	}
	// Lower case byte by byte, ASCII only: Unicode case mapping (and the
	// replacement of invalid UTF-8) may change a text's length, and the
	// indexes below must hold in data too.
	lower := make([]byte, len(data))
	for i, c := range data {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	start := bytes.Index(lower, []byte("<title"))
	if start < 0 {
		return ""
	}
	gt := bytes.IndexByte(lower[start:], '>')
	if gt < 0 {
		return ""
	}
	start += gt + 1
	end := bytes.Index(lower[start:], []byte("</title"))
	if end < 0 {
		return ""
	}
	t := html.UnescapeString(string(data[start : start+end]))
	t = strings.Join(strings.Fields(t), " ")
	if len(t) > 200 {
		t = t[:200]
	}
	return t
}
