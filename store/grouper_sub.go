package store

import (
	"strings"

	"github.com/glassbox-dev/glassbox/store/refs"
)

// place decides the page and initiator of a request that is not a page
// load of its own, from the strongest signal it carries: a redirect it
// follows, a reference in a document or stylesheet glassbox saw, the
// Referer, and only then time and origin (Heuristic).
func (g *Grouper) place(fe *flowEntry) {
	h := fe.req.Headers
	referer := h.Get("Referer")
	alive := g.aliveAt(fe.req.Start)
	if hp, ok := g.redirects[fe.key]; ok && fe.req.Start.Sub(hp.at) <= g.RedirectWindow {
		delete(g.redirects, fe.key)
		fe.page, fe.init = hp.page, Initiator{Type: InitRedirect, FlowID: hp.flow, URL: hp.url}
		return
	}
	if fe.nav == navNone && g.otherProgram(h) {
		fe.page, fe.init = 0, Initiator{Type: g.notAPage(h)}
		return
	}
	if ownUpdateCheck(fe.key, h) {
		fe.page, fe.init = 0, Initiator{Type: InitBrowser}
		return
	}
	if isPreflightRequest(fe.req.Method, h) {
		fe.page, fe.init = g.byReferer(referer, fe)
		fe.init.Type, fe.init.FlowID = InitPreflight, 0
		return
	}
	if e := g.index.best(fe.key, referer, alive); e != nil && e.kind.Loads() {
		e.pending = false
		fe.ref, fe.page = e, e.page
		fe.init = Initiator{Type: InitParser, FlowID: e.flow, URL: e.via, Heuristic: g.index.ambiguous(fe.key, e)}
		if e.sheet {
			fe.init.Type = InitStylesheet
		}
		return
	}
	if g.openPrefetched(fe, referer) {
		return
	}
	fe.page, fe.init = g.byReferer(referer, fe)
	if fe.page == 0 && referer == "" {
		fe.page, fe.init = g.withoutReferer(fe)
	}
}

// otherProgram reports a request no page of the browser made: no Referer
// and either Sec-Fetch-Site: none outside a navigation (the browser's own
// traffic), or no Fetch metadata at all from a User-Agent that is not the
// browser's (curl, another program) or with no Origin either (the
// browser's background requests over plain http).
func (g *Grouper) otherProgram(h Headers) bool {
	if h.Get("Referer") != "" {
		return false
	}
	if strings.EqualFold(h.Get("Sec-Fetch-Site"), "none") {
		return true
	}
	if hasFetchMetadata(h) || h.Get("Origin") != "" {
		return false
	}
	return true
}

// notAPage says whose a request is that no page made: the browser's own,
// or another program's, told apart by the User-Agent of the browser's
// navigations.
func (g *Grouper) notAPage(h Headers) string {
	ua := h.Get("User-Agent")
	if _, browser := g.agents[ua]; browser || (len(g.agents) == 0 && hasFetchMetadata(h)) {
		return InitBrowser
	}
	if len(g.agents) == 0 && strings.HasPrefix(ua, "Mozilla/") {
		return InitBrowser
	}
	return InitClient
}

// byReferer finds the page of the document or stylesheet a Referer names.
// A full URL that is a page's document (or one its script gave it with
// pushState, learnt here) is that page, and a script asked; a stylesheet's
// URL is the page that uses it. An origin alone, or a URL glassbox never
// saw, goes to the latest active page of that origin, which only time says.
func (g *Grouper) byReferer(referer string, fe *flowEntry) (int64, Initiator) {
	if referer == "" {
		return 0, Initiator{Type: InitUnknown}
	}
	key := NormalizeURL(referer)
	alive := g.aliveAt(fe.req.Start)
	if originOnly(key, Origin(referer), fe.key) {
		// Only the origin is known (refIndex's originOnly): the latest
		// active page of that origin, not the document at its "/".
		return g.latestOfOrigin(Origin(referer), alive), Initiator{Type: InitScript, URL: referer, Heuristic: true}
	}
	if p, ambiguous := g.pageOfDocument(key, alive); p != 0 {
		return p, Initiator{Type: InitScript, URL: referer, Heuristic: ambiguous}
	}
	if e := g.sheetUser(key, alive); e != nil {
		return e.page, Initiator{Type: InitStylesheet, FlowID: 0, URL: referer, Heuristic: true}
	}
	p := g.latestOfOrigin(Origin(referer), alive)
	if p != 0 && key != Origin(referer)+"/" {
		// A full URL of the page's origin it never loaded: a URL its script
		// gave the document (history.pushState). Learn it.
		g.alias(g.byID[p], key)
	}
	return p, Initiator{Type: InitScript, URL: referer, Heuristic: true}
}

// pageOfDocument is the most recent live page whose document has had the
// URL key; ambiguous when another live page's has too (two tabs of one
// page).
func (g *Grouper) pageOfDocument(key string, alive func(int64) bool) (page int64, ambiguous bool) {
	ids := g.byDoc[key]
	for i := len(ids) - 1; i >= 0; i-- {
		if !alive(ids[i]) {
			continue
		}
		if page != 0 {
			return page, true
		}
		page = ids[i]
	}
	return page, false
}

// sheetUser is the reference of the most recent live page to the
// stylesheet at key.
func (g *Grouper) sheetUser(key string, alive func(int64) bool) *refEntry {
	return g.index.best(key, "", alive, refs.Stylesheet, refs.Preload)
}

// latestOfOrigin is the live page of that origin active most recently.
func (g *Grouper) latestOfOrigin(origin string, alive func(int64) bool) int64 {
	var best *pageState
	for _, id := range g.byOrigin[origin] {
		if ps := g.byID[id]; ps != nil && alive(id) && (best == nil || !ps.last.Before(best.last)) {
			best = ps
		}
	}
	if best == nil {
		return 0
	}
	return best.page.ID
}

// withoutReferer places a request from a page that sent no Referer (its
// referrer policy, or a WebSocket handshake): by its Origin, else by the
// latest page active within IdleWindow; both only heuristics.
func (g *Grouper) withoutReferer(fe *flowEntry) (int64, Initiator) {
	h := fe.req.Headers
	if o := h.Get("Origin"); o != "" && o != "null" {
		if p := g.latestOfOrigin(Origin(o), g.aliveAt(fe.req.Start)); p != 0 {
			return p, Initiator{Type: InitScript, Heuristic: true}
		}
	}
	if p := g.latestTop(); p != 0 && fe.req.Start.Sub(g.byID[p].last) <= g.IdleWindow {
		return p, Initiator{Type: InitUnknown, Heuristic: true}
	}
	return 0, Initiator{Type: InitUnknown}
}

// openPrefetched opens the page load of a document the browser took from
// its prefetch cache (link rel=prefetch): the navigation never reached
// glassbox, but a request whose Referer is that document shows the page is
// loaded now. The document's references, read when it was prefetched, then
// place the request. It reports whether it placed fe.
func (g *Grouper) openPrefetched(fe *flowEntry, referer string) bool {
	key := NormalizeURL(referer)
	pre, ok := g.prefetched[key]
	if referer == "" || !ok {
		return false
	}
	if p, _ := g.pageOfDocument(key, g.aliveAt(fe.req.Start)); p != 0 {
		return false
	}
	delete(g.prefetched, key)
	g.nextID++
	p := Page{ID: g.nextID, URL: referer, Start: fe.req.Start}
	ps := &pageState{page: p, origin: Origin(referer), last: fe.req.Start, docURL: referer, aliases: map[string]bool{}}
	g.pages = append(g.pages, ps)
	g.byID[p.ID] = ps
	g.alias(ps, key)
	g.index.add(p.ID, 0, key, false, pre.refs, fe.req.Start)
	fe.newPage = &p
	if e := g.index.best(fe.key, referer, g.aliveAt(fe.req.Start)); e != nil && e.page == p.ID {
		e.pending = false
		fe.ref, fe.page = e, p.ID
		fe.init = Initiator{Type: InitParser, URL: e.via}
		return true
	}
	fe.page, fe.init = p.ID, Initiator{Type: InitScript, URL: referer}
	return true
}

// ownUpdateCheck reports a service worker's script fetched with itself as
// Referer: the browser checking the worker for an update, for no page
// (Service Workers, "soft update").
func ownUpdateCheck(key string, h Headers) bool {
	return strings.EqualFold(h.Get("Sec-Fetch-Dest"), "serviceworker") && NormalizeURL(h.Get("Referer")) == key
}

// isPrefetch reports a request the browser makes to have a resource ready
// for a later navigation (link rel=prefetch): Sec-Purpose: prefetch, or
// the older Purpose header.
func isPrefetch(h Headers) bool {
	return strings.Contains(strings.ToLower(h.Get("Sec-Purpose")+h.Get("Purpose")), "prefetch")
}

// hasFetchMetadata reports whether a request carries Sec-Fetch-*
// (browsers send it to potentially trustworthy origins: https, localhost).
func hasFetchMetadata(h Headers) bool {
	return h.Get("Sec-Fetch-Mode") != "" || h.Get("Sec-Fetch-Dest") != "" || h.Get("Sec-Fetch-Site") != ""
}

// isPreflightRequest reports a CORS preflight: an OPTIONS carrying
// Access-Control-Request-Method (Fetch standard, CORS protocol).
func isPreflightRequest(method string, h Headers) bool {
	return strings.EqualFold(method, "OPTIONS") && h.Get("Access-Control-Request-Method") != ""
}
