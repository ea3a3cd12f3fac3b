package explain

import (
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// Steps 8 and 9 of the story: what the page pulled in after the document,
// and what its scripts asked for.

// kindNames orders and names resource types in the sub-resources step.
var kindNames = []struct{ kind, one, many string }{
	{"stylesheet", "stylesheet", "stylesheets"},
	{"script", "script", "scripts"},
	{"image", "image", "images"},
	{"font", "font", "fonts"},
	{"media", "media file", "media files"},
	{"document", "frame", "frames"},
	{"other", "other file", "other files"},
}

// knownKind maps a resource type outside kindNames to "other".
func knownKind(kind string) string {
	for _, k := range kindNames {
		if k.kind == kind {
			return kind
		}
	}
	return "other"
}

func kindLabel(kind string) string {
	for _, k := range kindNames {
		if k.kind == kind {
			return k.one
		}
	}
	return kind
}

// subresources tells step 8: what the page asked for, what failed, and
// which connections it took.
func (s *story) subresources(doc *store.Flow, subs []*store.Flow) {
	title := "The browser asks for more"
	if len(subs) == 0 {
		s.add(title, []string{"glassbox recorded no other request for this page: no stylesheet, script or image came from the network (the browser may have had them in its cache).", proxyBlindLine}, doc.ID)
		return
	}
	counts := map[string]int{}
	for _, f := range subs {
		counts[knownKind(store.TypeOf(f))]++
	}
	var what []string
	for _, k := range kindNames {
		if n := counts[k.kind]; n > 0 {
			what = append(what, Plural(n, k.one, k.many))
		}
	}
	lines := []string{askedBy(doc, subs) + " asked for " + joinAnd(what) + s.span(subs) + "."}
	lines = append(lines, outcomeLines(subs)...)
	lines = append(lines, s.connLine(subs)...)
	lines = append(lines, s.listLines(subs)...)
	lines = append(lines, subLesson, proxyBlindLine)
	s.add(title, lines, ids(subs)...)
}

// proxyBlindLine says, once per page, what a proxy cannot see of a page load.
const proxyBlindLine = "What a proxy cannot see: files the browser took from its own cache without asking, how it laid out and painted the page, and its own connection to glassbox."

// askedBy names who asked for the sub-resources, as far as their
// initiators prove it: the HTML (each URL is in it), its stylesheets, or,
// in a capture without initiators, only "the page".
func askedBy(doc *store.Flow, subs []*store.Flow) string {
	html, css, other := 0, 0, 0
	for _, f := range subs {
		switch f.Initiator.Type {
		case store.InitParser:
			html++
		case store.InitStylesheet:
			css++
		default:
			other++
		}
	}
	switch {
	case other > 0 || html+css == 0:
		return "The page" // a capture without initiators: who exactly is not known
	case css == 0:
		return "The HTML"
	case html == 0:
		return "The page's stylesheets"
	}
	return "The HTML (and, for " + Plural(css, "of them", "of them") + ", its stylesheets)"
}

// unsure tells the requests placed in this page load by time or origin
// alone: no reference in its HTML or CSS and no Referer naming it proved
// they belong here.
func (s *story) unsure(fs []*store.Flow) {
	lines := []string{Plural(len(fs), "more request was", "more requests were") + " placed in this page load" + s.span(fs) +
		" because of when they came and where they went, not because anything proved a page of it asked: their URLs are in no HTML or stylesheet glassbox saw for it, and they named no document of it as Referer."}
	lines = append(lines, s.listLines(fs)...)
	lines = append(lines, "A proxy sees requests, not the page's scripts: a request can carry only its origin as Referer, or none (a WebSocket, a strict referrer policy), and two tabs of one site look alike. glassbox says \"probably\" for these.")
	s.add("Requests glassbox could not tie to this page for certain", lines, ids(fs)...)
}

// scripts tells step 9: the requests the page's scripts made, and
// anything else after the page itself.
func (s *story) scripts(later []*store.Flow) {
	var pre, other int
	for _, f := range later {
		switch {
		case isPreflight(f):
			pre++
		case f.Kind == store.KindHTTP:
		default:
			other++
		}
	}
	lines := []string{"The page's scripts then made " + Plural(len(later)-other, "request") + " of their own (fetch or XMLHttpRequest)" + s.span(later) + "."}
	if other > 0 {
		lines[0] = "After the page itself came " + Plural(len(later), "more request", "more requests") + s.span(later) + ", from the page's scripts and beyond."
	}
	if pre > 0 {
		lines = append(lines, Plural(pre, "of them was a CORS preflight", "of them were CORS preflights")+" (OPTIONS): the browser asking another origin's permission before sending the real request.")
	}
	lines = append(lines, outcomeLines(later)...)
	lines = append(lines, s.connLine(later)...)
	lines = append(lines, s.listLines(later)...)
	lines = append(lines, apiLesson)
	s.add("Scripts ask for data", lines, ids(later)...)
}

// span says when a group of requests ran, relative to the page load's start.
func (s *story) span(fs []*store.Flow) string {
	if s.t0.IsZero() {
		return ""
	}
	var first, last time.Time
	for _, f := range fs {
		if !f.Start.IsZero() && (first.IsZero() || f.Start.Before(first)) {
			first = f.Start
		}
		end := f.End
		if end.IsZero() {
			end = f.Start
		}
		if end.After(last) {
			last = end
		}
	}
	if first.IsZero() || first.Before(s.t0) {
		return ""
	}
	return ", between +" + FormatDuration(first.Sub(s.t0)) + " and +" + FormatDuration(last.Sub(s.t0)) + " after the page load began"
}

// outcomeLines sums up failures and revalidations in a group.
func outcomeLines(fs []*store.Flow) []string {
	var failed []string
	revalidated := 0
	for _, f := range fs {
		switch {
		case f.Error != nil && f.Status == 0:
			failed = append(failed, "the "+kindLabel(store.TypeOf(f))+" "+f.URL+" ("+Summary(f.Error)+")")
		case f.Status >= 400:
			failed = append(failed, "the "+kindLabel(store.TypeOf(f))+" "+f.URL+" ("+strconv.Itoa(f.Status)+" "+StatusCode(f.Status).Reason+")")
		case f.Status == 304:
			revalidated++
		}
	}
	var lines []string
	if len(failed) > 0 {
		lines = append(lines, Plural(len(failed), "of them failed", "of them failed")+": "+joinAnd(failed)+".")
	}
	if revalidated > 0 {
		lines = append(lines, Plural(revalidated, "was", "were")+" revalidated with 304 Not Modified: the browser had a copy, and the server confirmed it was still current.")
	}
	return lines
}

// connLine says which hosts got new connections and how many requests
// reused one.
func (s *story) connLine(fs []*store.Flow) []string {
	perHost := map[string]int{}
	var order []string
	reused := 0
	for _, f := range fs {
		switch {
		case f.ConnReused:
			reused++
		case f.ConnID != 0 || !f.GotConn.IsZero():
			h := f.Host()
			if c := s.in.Conns[f.ConnID]; c != nil && c.Host != "" {
				h = c.Host
			}
			if perHost[h] == 0 {
				order = append(order, h)
			}
			perHost[h]++
		}
	}
	var parts, details []string
	seenConn := map[int64]bool{}
	for _, f := range fs {
		if f.ConnReused || f.ConnID == 0 || seenConn[f.ConnID] {
			continue
		}
		seenConn[f.ConnID] = true
		c := s.in.Conns[f.ConnID]
		if notes := connNotes(NoteInput{Flow: f, Conn: c, Lookup: s.lookupFor(f, c)}); len(notes) > 0 {
			h := f.Host()
			if c != nil && c.Host != "" {
				h = c.Host
			}
			details = append(details, "  - "+h+": "+strings.Join(notes, "; "))
		}
	}
	if len(order) > 0 {
		var hs []string
		for _, h := range order {
			if perHost[h] > 1 {
				hs = append(hs, h+" ("+strconv.Itoa(perHost[h])+")")
			} else {
				hs = append(hs, h)
			}
		}
		parts = append(parts, "New connections were opened to "+joinAnd(hs))
	}
	if reused > 0 {
		parts = append(parts, Plural(reused, "request")+" reused a connection that was already open")
	}
	if len(parts) == 0 {
		return nil
	}
	if len(details) == 0 {
		return []string{strings.Join(parts, "; ") + "."} // a colon would lend it the list that follows
	}
	return append([]string{strings.Join(parts, "; ") + ":"}, details...)
}

// listLines lists the flows one per line, capped at storyMaxList.
func (s *story) listLines(fs []*store.Flow) []string {
	var lines []string
	for i, f := range fs {
		if i == storyMaxList {
			lines = append(lines, "- ... and "+strconv.Itoa(len(fs)-storyMaxList)+" more")
			break
		}
		lines = append(lines, s.flowLine(f))
	}
	return lines
}

// flowLine is one flow in a list:
// "- +52 ms stylesheet https://shop.test/site.css: 200 OK, 4.1 KB in 12 ms, reused connection".
func (s *story) flowLine(f *store.Flow) string {
	var b strings.Builder
	b.WriteString("- ")
	if !s.t0.IsZero() && !f.Start.IsZero() && !f.Start.Before(s.t0) {
		b.WriteString("+" + FormatDuration(f.Start.Sub(s.t0)) + " ")
	}
	switch {
	case isPreflight(f):
		b.WriteString("preflight")
	case f.Kind == store.KindTunnel:
		b.WriteString("tunnel")
	case f.Kind == store.KindWebSocket:
		b.WriteString("websocket")
	default:
		b.WriteString(kindLabel(store.TypeOf(f)))
	}
	if f.Method != "" && f.Method != "GET" {
		b.WriteString(" " + f.Method)
	}
	b.WriteString(" " + clip(f.URL, 90) + ": ")
	var parts []string
	switch {
	case f.Kind == store.KindTunnel:
		parts = append(parts, "passed through unread, "+FormatBytes(f.BytesUp)+" up, "+FormatBytes(f.BytesDown)+" down")
	case f.Status > 0:
		parts = append(parts, strconv.Itoa(f.Status)+" "+StatusCode(f.Status).Reason)
		if f.Kind == store.KindWebSocket {
			parts = append(parts, FormatBytes(f.BytesUp)+" up, "+FormatBytes(f.BytesDown)+" down")
		} else if f.RespBody.Size > 0 {
			parts = append(parts, FormatBytes(f.RespBody.Size))
		}
	}
	if f.Error != nil {
		parts = append(parts, Summary(f.Error))
	}
	if len(parts) == 0 {
		parts = append(parts, "no response recorded")
	}
	if d := f.Duration(); d > 0 {
		parts[len(parts)-1] += " in " + FormatDuration(d)
	}
	switch {
	case f.ConnReused:
		parts = append(parts, "reused connection")
	case f.ConnID != 0:
		parts = append(parts, "new connection")
	}
	b.WriteString(strings.Join(parts, ", "))
	return b.String()
}

func ids(fs []*store.Flow) []int64 {
	out := make([]int64, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}
