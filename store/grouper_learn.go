package store

import (
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store/codec"
	"github.com/glassbox-dev/glassbox/store/refs"
)

// learn reads what a response teaches: a page's document (its references
// and its title) and a stylesheet's references. It returns the page record
// when its title changed. rtype is the flow's resource type (resourceType).
func (g *Grouper) learn(fe *flowEntry, r PageResponse, rtype string) *Page {
	ps := g.byID[fe.page]
	doc := ps != nil && (fe.nav == navTop || fe.nav == navFrame) && ps.page.MergedInto == 0
	sheet := fe.page != 0 && !doc && rtype == TypeStylesheet
	if !doc && !sheet {
		g.learnPrefetch(fe, r)
		return nil
	}
	rs, data, ok := g.references(fe, r, sheet)
	if !ok {
		return nil
	}
	g.index.add(fe.page, fe.req.FlowID, fe.key, sheet, rs, r.End)
	g.index.prune(g.MaxRefs, g.lastActive)
	if sheet {
		return nil
	}
	ps.docFlow, ps.docURL = fe.req.FlowID, fe.req.URL
	g.alias(ps, fe.key)
	return g.retitle(ps, fe, r, data)
}

// references reads the references of a document or stylesheet response:
// parsed from the body of a 2xx, remembered from an earlier load for a 304
// (the browser shows its cached copy). data is the decoded 2xx body.
func (g *Grouper) references(fe *flowEntry, r PageResponse, sheet bool) (rs []refs.Ref, data []byte, ok bool) {
	switch {
	case r.Status == 304:
		m := g.index.docs
		if sheet {
			m = g.index.sheets
		}
		p, known := m[fe.key]
		return p.refs, nil, known
	case r.Status < 200 || r.Status >= 300 || len(r.Body) == 0:
		return nil, nil, false
	}
	enc := r.Headers.Get("Content-Encoding")
	if r.Decoded {
		enc = ""
	}
	data, _, err := codec.Decode(r.Body, enc, refs.MaxInput)
	if err != nil && len(data) == 0 {
		return nil, nil, false
	}
	if sheet {
		rs = refs.CSS(fe.req.URL, data)
	} else if isHTML(r.Headers.Get("Content-Type")) {
		rs = refs.HTML(fe.req.URL, data)
	}
	g.index.remember(fe.key, sheet, rs, r.End)
	return rs, data, true
}

// learnPrefetch reads a prefetched document's references, kept until the
// browser shows it (openPrefetched), a few hundred at most.
func (g *Grouper) learnPrefetch(fe *flowEntry, r PageResponse) {
	if !isPrefetch(fe.req.Headers) || !isHTML(r.Headers.Get("Content-Type")) {
		return
	}
	if rs, _, ok := g.references(fe, r, false); ok {
		if len(g.prefetched) >= 256 {
			clear(g.prefetched)
		}
		g.prefetched[fe.key] = parsed{refs: rs, at: r.End}
	}
}

// retitle names a page after its document's <title>; a revalidated
// document (304) keeps the title an earlier load of its URL showed.
func (g *Grouper) retitle(ps *pageState, fe *flowEntry, r PageResponse, data []byte) *Page {
	if ps.page.Title != "" {
		return nil
	}
	var t string
	switch {
	case r.Status == 304:
		t = g.titleOf(fe.key, ps)
	case isHTML(r.Headers.Get("Content-Type")) || r.Headers.Get("Content-Type") == "":
		t = htmlTitle(data, "")
	}
	if t == "" {
		return nil
	}
	ps.page.Title = t
	p := ps.page
	return &p
}

// titleOf returns the title of the latest other page that landed on key.
func (g *Grouper) titleOf(key string, except *pageState) string {
	ids := g.byDoc[key]
	for i := len(ids) - 1; i >= 0; i-- {
		if ps := g.byID[ids[i]]; ps != nil && ps != except && ps.page.Title != "" {
			return ps.page.Title
		}
	}
	return ""
}

// lastActive is when a page was last active (zero for one forgotten).
func (g *Grouper) lastActive(page int64) (t time.Time) {
	if ps := g.byID[page]; ps != nil {
		t = ps.last
	}
	return t
}

func isHTML(ct string) bool {
	ct = strings.ToLower(ct)
	return strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "application/xhtml+xml")
}

// resourceType is the flow's type: its own metadata first (navigation,
// preflight, Sec-Fetch-Dest), then the reference that explained it, then
// what a script's request without metadata most likely is, then Accept,
// the extension and the response's Content-Type.
func (fe *flowEntry) resourceType(contentType string) string {
	h := fe.req.Headers
	switch {
	case fe.nav == navTop || fe.nav == navFrame:
		return TypeDocument
	case fe.download:
		return TypeOther
	case fe.init.Type == InitPreflight:
		return TypeFetch
	case strings.EqualFold(h.Get("Upgrade"), "websocket"):
		return TypeWebSocket
	case isPrefetch(h):
		return ResponseType("", contentType, fe.req.URL) // what it fetched (Fetch: a prefetch has no destination)
	}
	dest := destType(h)
	if fe.ref != nil && (dest == "" || dest == TypeFetch) {
		// A reference says what the page asked for: a service worker
		// fetching it for the page sends no destination (empty).
		if t := refType(fe.ref); t != "" && t != TypeFetch {
			return t
		}
	}
	if dest != "" {
		return dest
	}
	if fe.init.Type == InitScript && !hasFetchMetadata(h) {
		if t := acceptType(h); t != "" && t != TypeDocument {
			return t
		}
		switch t := extensionType(fe.req.URL); t {
		case TypeScript, TypeStylesheet, TypeImage, TypeFont, TypeMedia:
			return t
		}
		return TypeFetch
	}
	return ResponseType(RequestType(fe.req.Method, fe.req.URL, h), contentType, fe.req.URL)
}

// refType is the type a reference implies, "" when it implies none.
func refType(e *refEntry) string {
	switch e.kind {
	case refs.Image:
		return TypeImage
	case refs.Stylesheet:
		return TypeStylesheet
	case refs.Script:
		return TypeScript
	case refs.Font:
		return TypeFont
	case refs.Media:
		return TypeMedia
	case refs.Frame:
		return TypeDocument
	case refs.Object, refs.Manifest:
		return TypeOther
	case refs.Preload:
		return map[string]string{"style": TypeStylesheet, "script": TypeScript, "font": TypeFont, "image": TypeImage,
			"fetch": TypeFetch, "audio": TypeMedia, "video": TypeMedia, "track": TypeMedia}[e.as]
	}
	return ""
}
