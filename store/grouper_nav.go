package store

import (
	"slices"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store/refs"
)

// navKind says whether a request loads a document into a window or frame.
type navKind uint8

const (
	navNone  navKind = iota // a sub-resource, a script's request, a preflight...
	navTop                  // a top-level page load
	navFrame                // a page load inside an iframe or frame
	// navMaybe: Sec-Fetch-Mode navigate with Sec-Fetch-Dest empty, which a
	// service worker's fetch of a navigation and an <a download> both
	// send. The response decides: a document is a page load, anything
	// else a download that stays in the page it came from.
	navMaybe
)

// navigationKind classifies a request from what it carries. With Fetch
// metadata (browsers send it on https), Sec-Fetch-Mode and -Dest say. Without
// (plain http), a navigation is a GET or POST that asks for HTML with
// Upgrade-Insecure-Requests, which browsers send on navigations only
// (Upgrade Insecure Requests, §3.2); it is a frame when a page's HTML has it
// as an iframe's src.
func (g *Grouper) navigationKind(r PageRequest) navKind {
	h := r.Headers
	if strings.EqualFold(h.Get("Upgrade"), "websocket") {
		return navNone
	}
	mode := strings.ToLower(h.Get("Sec-Fetch-Mode"))
	dest := strings.ToLower(h.Get("Sec-Fetch-Dest"))
	if mode != "" || dest != "" {
		if mode != "navigate" && mode != "nested-navigate" {
			return navNone
		}
		switch dest {
		case "iframe", "frame", "fencedframe", "embed", "object":
			return navFrame
		case "document", "":
			return navTop
		case "empty":
			return navMaybe
		}
		return navNone
	}
	method := strings.ToUpper(r.Method)
	if (method != "GET" && method != "POST" && method != "") || h.Get("Upgrade-Insecure-Requests") != "1" ||
		!strings.Contains(strings.ToLower(h.Get("Accept")), "text/html") {
		return navNone
	}
	if e := g.index.best(NormalizeURL(r.URL), h.Get("Referer"), g.aliveAt(r.Start), refs.Frame); e != nil {
		return navFrame
	}
	return navTop
}

// IsNavigation reports whether a request, on its own, loads a document into
// a window or frame (frame true): what the grouper starts from before the
// references it has seen refine a request without Fetch metadata.
func IsNavigation(method string, h Headers) (nav, frame bool) {
	k := (&Grouper{index: newRefIndex()}).navigationKind(PageRequest{Method: method, Headers: h})
	return k == navTop || k == navFrame, k == navFrame
}

// navigate places a navigation: the next hop of a redirect chain stays in
// its page; anything else opens a page load (in a frame: nested in the page
// whose HTML has the frame). It returns the page it opened.
func (g *Grouper) navigate(fe *flowEntry) *Page {
	r := fe.req
	if h, ok := g.redirectTo(fe.key, r.Start); ok {
		fe.page, fe.init = h.page, Initiator{Type: InitRedirect, FlowID: h.flow, URL: h.url}
		if ps := g.byID[h.page]; ps != nil && ps.page.FlowID != 0 {
			ps.docURL = r.URL
			g.alias(ps, fe.key)
		}
		return nil
	}
	g.agents[r.Headers.Get("User-Agent")] = r.Start
	var parent int64
	fe.init = Initiator{Type: InitNavigation}
	if fe.nav == navFrame {
		parent, fe.init = g.frameParent(fe)
	}
	return g.open(fe, parent)
}

// redirectTo finds the redirect whose target key is, if it is recent.
func (g *Grouper) redirectTo(key string, at time.Time) (hop, bool) {
	h, ok := g.redirects[key]
	if !ok {
		return hop{}, false
	}
	delete(g.redirects, key)
	return h, at.Sub(h.at) <= g.RedirectWindow
}

// frameParent finds the page an iframe's document loads in: the page whose
// HTML has it as a frame; else the page of its Referer, or the latest
// top-level page, which only time says.
func (g *Grouper) frameParent(fe *flowEntry) (int64, Initiator) {
	ref := fe.req.Headers.Get("Referer")
	if e := g.index.best(fe.key, ref, g.aliveAt(fe.req.Start), refs.Frame); e != nil {
		e.pending = false
		return e.page, Initiator{Type: InitParser, FlowID: e.flow, URL: e.via}
	}
	if p, init := g.byReferer(ref, fe); p != 0 {
		init.Type = InitParser
		return p, init
	}
	return g.latestTop(), Initiator{Type: InitParser, Heuristic: true}
}

// open starts a page load with fe as its navigation.
func (g *Grouper) open(fe *flowEntry, parent int64) *Page {
	r := fe.req
	g.nextID++
	p := Page{ID: g.nextID, ParentID: parent, FlowID: r.FlowID, URL: r.URL, Start: r.Start}
	ps := &pageState{page: p, origin: Origin(r.URL), last: r.Start, docURL: r.URL, docFlow: r.FlowID,
		aliases: map[string]bool{}}
	g.pages = append(g.pages, ps)
	g.byID[p.ID] = ps
	g.alias(ps, fe.key)
	fe.page, fe.opened = p.ID, true
	g.prunePages()
	return &p
}

// settleNavigation decides what the response shows a navigation was: a
// navigate+empty request whose answer is a document opens its page load
// now; a page load answered as an attachment was a download, after which
// the browser stayed on the page the link was in (Content-Disposition,
// RFC 6266 §4.2): its page is merged into that one. It returns the page
// records to write.
func (g *Grouper) settleNavigation(fe *flowEntry, r PageResponse) []Page {
	attachment := isAttachment(r.Headers)
	switch {
	case fe.nav == navMaybe && !attachment && isDocument(r):
		fe.nav, fe.init = navTop, Initiator{Type: InitNavigation}
		fe.ref = nil
		return []Page{*g.open(fe, 0)}
	case fe.nav == navTop && fe.opened && attachment:
		ps := g.byID[fe.page]
		stay, init := g.byReferer(fe.req.Headers.Get("Referer"), fe)
		if ps == nil || stay == 0 || stay == fe.page {
			return nil
		}
		ps.page.MergedInto = stay
		merged := ps.page
		fe.page, fe.nav, fe.opened = stay, navNone, false
		fe.init = Initiator{Type: InitNavigation, URL: init.URL, Heuristic: init.Heuristic}
		return []Page{merged}
	}
	return nil
}

// isAttachment reports a response the browser saves instead of showing.
func isAttachment(h Headers) bool {
	cd := strings.ToLower(strings.TrimSpace(h.Get("Content-Disposition")))
	return strings.HasPrefix(cd, "attachment")
}

// isDocument reports a response a browser renders as a page.
func isDocument(r PageResponse) bool {
	if r.Status < 200 || r.Status >= 400 {
		return r.Status >= 400 // an error page is shown too
	}
	ct := strings.ToLower(r.Headers.Get("Content-Type"))
	return strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "application/xhtml+xml")
}

// latestTop is the most recently opened top-level page.
func (g *Grouper) latestTop() int64 {
	for i := len(g.pages) - 1; i >= 0; i-- {
		if ps := g.pages[i]; ps.page.ParentID == 0 && ps.page.MergedInto == 0 {
			return ps.page.ID
		}
	}
	return 0
}

// aliveAt says which pages can take a request made at at: not merged
// away, and active within OriginWindow of it.
func (g *Grouper) aliveAt(at time.Time) func(int64) bool {
	return func(page int64) bool {
		ps := g.byID[page]
		return ps != nil && ps.page.MergedInto == 0 && at.Sub(ps.last) <= g.OriginWindow
	}
}

// prunePages forgets the oldest half of the pages once there are more than
// a browsing session holds at once; their references go with them.
func (g *Grouper) prunePages() {
	const maxPages = 4096
	if len(g.pages) <= maxPages {
		return
	}
	cut := len(g.pages) / 2
	for _, ps := range g.pages[:cut] {
		delete(g.byID, ps.page.ID)
	}
	g.pages = append([]*pageState(nil), g.pages[cut:]...)
	gone := func(page int64) bool { return g.byID[page] == nil }
	g.index.dropPages(gone)
	dropIDs(g.byDoc, gone)
	dropIDs(g.byOrigin, gone)
}

// alias notes that a page's document has had the URL key (and so its
// origin: a redirect from http to https moves a page to another origin).
func (g *Grouper) alias(ps *pageState, key string) {
	if ps.aliases[key] {
		return
	}
	ps.aliases[key] = true
	g.byDoc[key] = append(g.byDoc[key], ps.page.ID)
	o := Origin(key)
	if !slices.Contains(g.byOrigin[o], ps.page.ID) {
		g.byOrigin[o] = append(g.byOrigin[o], ps.page.ID)
	}
}

// dropIDs removes the pages gone says are gone from a page index.
func dropIDs(m map[string][]int64, gone func(int64) bool) {
	for k, ids := range m {
		kept := ids[:0]
		for _, id := range ids {
			if !gone(id) {
				kept = append(kept, id)
			}
		}
		if len(kept) == 0 {
			delete(m, k)
		} else {
			m[k] = kept
		}
	}
}
