package explain

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// The sentences of steps 5 to 7 (the request, the server's wait, the
// response) and of a story's end when a step failed; storytext.go holds
// steps 1 to 4.

// requestFacts shows the request line and its key headers. Cookie and
// Authorization values are never shown.
func requestFacts(f *store.Flow, c *store.Conn, t store.Timings) []string {
	u, _ := url.Parse(f.URL)
	target, host := f.URL, f.Hostname()
	if u != nil {
		target, host = u.RequestURI(), u.Host
	}
	line := "The browser sent " + f.Method + " " + clip(target, 80)
	if p := protoFor(f, c); p != "" {
		line += " over " + p
	}
	lines := []string{line + ". " + Method(f.Method)}
	lines = append(lines, "- Host: "+host+" (which site on that server; one server can host many)")
	h := f.ReqHeaders
	show := func(name, gloss string) {
		if v := h.Get(name); v != "" {
			lines = append(lines, "- "+name+": "+clip(v, 70)+" ("+gloss+")")
		}
	}
	show("User-Agent", "which browser is asking")
	show("Accept", "the formats it can use")
	show("Accept-Language", "the reader's languages")
	show("Accept-Encoding", "the compressions it can unpack")
	if names := cookieNames(h.Values("Cookie"), false); len(names) > 0 {
		lines = append(lines, "- Cookie: "+Plural(len(names), "cookie")+", "+nameList(names)+" (what the site stored in the browser before; values not shown)")
	}
	show("Referer", "the page that led here")
	show("Origin", "the site whose page made the request")
	if v := h.Get("Authorization"); v != "" {
		scheme, _, _ := strings.Cut(v, " ")
		lines = append(lines, "- Authorization: "+scheme+" ... (credentials; value not shown)")
	}
	show("If-None-Match", "the version tag of the copy it already has")
	show("If-Modified-Since", "the date of the copy it already has")
	if f.ReqBody.Size > 0 {
		b := "The request carried a body of " + FormatBytes(f.ReqBody.Size)
		if ct := h.Get("Content-Type"); ct != "" {
			b += " (" + clip(ct, 60) + ")"
		}
		lines = append(lines, b+".")
	}
	if !f.GotConn.IsZero() && !f.WroteRequest.IsZero() {
		lines = append(lines, "Writing the request took "+FormatDuration(t.Send)+".")
	}
	return lines
}

// requestLine is the one-line form for a redirect's step.
func requestLine(f *store.Flow, c *store.Conn) string {
	target := f.URL
	if u, err := url.Parse(f.URL); err == nil {
		target = u.RequestURI()
	}
	s := f.Method + " " + clip(target, 80)
	if p := protoFor(f, c); p != "" {
		s += " over " + p
	}
	return s
}

// waitFacts tells the time to first byte.
func waitFacts(f *store.Flow, t store.Timings) []string {
	if f.WroteRequest.IsZero() || (f.FirstByte.IsZero() && f.Error == nil) {
		return []string{"The wait for the answer: " + notMeasured}
	}
	if f.FirstByte.IsZero() {
		return []string{"After the request was sent, glassbox waited " + FormatDuration(t.Wait) + " and no answer came."}
	}
	s := "After the request was sent, " + FormatDuration(t.Wait) + " passed before the first byte of the answer arrived: the time to first byte (TTFB)."
	if total := t.Total(); total > 0 && t.Wait >= noteMinWait && 2*t.Wait >= total {
		s += " That is " + strconv.FormatInt(int64(t.Wait)*100/int64(total), 10) + "% of this request's time: the server's work dominates."
	}
	return []string{s}
}

// responseFacts tells the status line, its class, key headers and the body.
// full adds the headers and their meaning; a redirect's step leaves them out.
func responseFacts(f *store.Flow, t store.Timings, full bool) []string {
	if f.Status == 0 {
		return []string{"No response arrived."}
	}
	st := StatusCode(f.Status)
	reason := f.StatusText
	if reason == "" {
		reason = st.Reason
	}
	line := "The server answered " + strings.TrimSpace(versionName(f.RespProto)+" "+strconv.Itoa(f.Status)+" "+reason) + "."
	if !full {
		return append([]string{line}, bodyFacts(f, t)...)
	}
	cls := Class(f.Status)
	lines := []string{line + " " + strconv.Itoa(f.Status) + " is in the class " + cls.Name + ": " + cls.Meaning,
		strconv.Itoa(f.Status) + " " + st.Reason + ": " + st.Meaning + " (" + st.Ref + ")"}
	for _, name := range []string{"Content-Type", "Content-Encoding", "Cache-Control", "ETag", "Location", "Strict-Transport-Security"} {
		v := strings.Join(f.RespHeaders.Values(name), ", ")
		if v == "" {
			continue
		}
		if noBody(f) && (name == "Content-Type" || name == "Content-Encoding") {
			lines = append(lines, "- "+name+": "+clip(v, 80)+" (describes the resource: this answer carries no body)")
			continue
		}
		lines = append(lines, "- "+name+": "+clip(v, 80))
		for _, s := range HeaderValue(name, v, false) {
			lines = append(lines, "  - "+s)
		}
	}
	if names := cookieNames(f.RespHeaders.Values("Set-Cookie"), true); len(names) > 0 {
		lines = append(lines, "- Set-Cookie: "+Plural(len(names), "cookie")+", "+nameList(names)+" (stored by the browser and sent back with later requests)")
	}
	return append(lines, bodyFacts(f, t)...)
}

// noBody reports an answer that has no body by definition: 1xx, 204, 304,
// and any answer to HEAD (RFC 9110 §6.4.1).
func noBody(f *store.Flow) bool {
	return f.Status == 304 || f.Status == 204 || f.Method == "HEAD" || (f.Status >= 100 && f.Status < 200)
}

// bodyFacts tells the body's size and how long it took to arrive.
func bodyFacts(f *store.Flow, t store.Timings) []string {
	var lines []string
	b := f.RespBody
	switch {
	case b.Size > 0:
		s := "The body, " + FormatBytes(b.Size) + " on the wire"
		if n, ok := decodedSize(f, nil); ok {
			s += " (" + FormatBytes(n) + " once unpacked)"
		}
		if !f.FirstByte.IsZero() && !f.End.IsZero() {
			s += ", arrived in " + FormatDuration(t.Receive)
		}
		lines = append(lines, s+".")
	case noBody(f):
		lines = append(lines, "There is no body, as expected for this answer (RFC 9110 §6.4.1).")
	default:
		lines = append(lines, "The body was empty.")
	}
	if b.Truncated {
		lines = append(lines, "glassbox stored only the first "+FormatBytes(int64(len(b.Data)))+" of it (--max-body).")
	}
	return lines
}

// failLines explains a failure in the step where it happened.
func failLines(e *store.FlowError) []string {
	p := Error(e)
	lines := []string{"It failed: " + strings.TrimSuffix(p.Title, ".") + ". " + p.What}
	if p.Why != "" {
		lines = append(lines, "Usual causes: "+p.Why)
	}
	if p.Fix != "" {
		lines = append(lines, "What to try: "+p.Fix)
	}
	if e.Message != "" {
		lines = append(lines, "The error, as glassbox saw it: "+e.Message)
	}
	if p.Ref != "" {
		lines = append(lines, "References: "+p.Ref+".")
	}
	return lines
}

// stopLine ends a story that cannot go on.
func stopLine(phase string) string {
	switch phase {
	case store.PhaseDNS:
		return "The story stops here: without an IP address there is nothing to connect to. The browser got glassbox's error page, which explains this step."
	case store.PhaseConnect:
		return "The story stops here: without a connection no request can be sent. The browser got glassbox's error page, which explains this step."
	case store.PhaseTLS:
		return "The story stops here: glassbox does not send a request over a connection it cannot trust. The browser got glassbox's error page, which explains this step."
	case store.PhaseProxy:
		return "The story stops here: the request never left glassbox."
	}
	return "The story stops here: no response came back. The browser got glassbox's error page, which explains this step."
}
