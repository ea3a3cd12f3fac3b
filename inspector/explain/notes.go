package explain

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec"
)

// NoteInput is one flow with what Notes needs around it.
type NoteInput struct {
	Flow   *store.Flow
	Conn   *store.Conn   // the connection the flow used, or nil
	Lookup *store.Lookup // that connection's DNS lookup, or nil
	// Prev and Next are the flow's neighbours in the same page, by start
	// time; either may be nil. They let a note say "CORS preflight for the
	// next request" or "reached by a redirect from ...".
	Prev, Next *store.Flow
	// Budget bounds the decoding of an export's many bodies (nil: each
	// body's own limit only, as for one flow in the inspector).
	Budget *codec.Budget
}

// Thresholds for timing notes: below them a phase is too short to be worth
// a learner's attention.
const (
	// noteMinWait is the shortest wait worth calling out; below it even a
	// dominant wait is just a network round trip on a fast link.
	noteMinWait = 20 * time.Millisecond
	// noteMinBlocked is the shortest queueing time worth calling out.
	noteMinBlocked = 20 * time.Millisecond
	// noteMaxNames caps how many cookie names a note lists.
	noteMaxNames = 8
)

// Notes returns short plain-language annotations for one flow, with the
// numbers measured for it: how the connection came about, where the time
// went, what the status means for the browser, what the body is. Each note
// is one line without a final full stop; the order is errors, status,
// connection, timing, body, cookies, caching.
func Notes(in NoteInput) []string {
	f := in.Flow
	if f == nil {
		return nil
	}
	var n []string
	if f.Error != nil {
		p := Error(f.Error)
		n = append(n, "failed while "+Phase(f.Error.Phase)+": "+strings.TrimSuffix(p.Title, "."))
		if p.Fix != "" {
			n = append(n, "what to try: "+strings.TrimSuffix(p.Fix, "."))
		}
	}
	switch f.Kind {
	case store.KindTunnel:
		n = append(n, fmt.Sprintf("tunnel: glassbox passed the encrypted bytes through without reading them (%s up, %s down)",
			FormatBytes(f.BytesUp), FormatBytes(f.BytesDown)))
	case store.KindWebSocket:
		n = append(n, fmt.Sprintf("WebSocket: after 101 Switching Protocols the connection carried messages both ways (%s up, %s down)",
			FormatBytes(f.BytesUp), FormatBytes(f.BytesDown)))
	}
	n = append(n, statusNotes(in)...)
	n = append(n, corsNotes(f)...)
	n = append(n, connNotes(in)...)
	n = append(n, timingNotes(in)...)
	n = append(n, bodyNotes(f, in.Budget)...)
	n = append(n, cookieNotes(f)...)
	if c := cacheNote(f); c != "" {
		n = append(n, c)
	}
	return n
}

func statusNotes(in NoteInput) []string {
	f := in.Flow
	var n []string
	if isPreflight(f) {
		method := strings.ToUpper(f.ReqHeaders.Get("Access-Control-Request-Method"))
		if nx := in.Next; nx != nil && store.NormalizeURL(nx.URL) == store.NormalizeURL(f.URL) && strings.EqualFold(nx.Method, method) {
			n = append(n, "CORS preflight for the next request ("+nx.Method+" "+nx.URL+")")
		} else {
			n = append(n, "CORS preflight: the browser asks whether a script may send a "+method+" to this URL")
		}
		if f.Status > 0 && (f.Status >= 300 || f.RespHeaders.Get("Access-Control-Allow-Origin") == "") {
			n = append(n, "the preflight was not granted, so the browser will not send the real request")
		}
	}
	if p := in.Prev; isPreflight(p) && store.NormalizeURL(p.URL) == store.NormalizeURL(f.URL) &&
		strings.EqualFold(p.ReqHeaders.Get("Access-Control-Request-Method"), f.Method) {
		n = append(n, "sent after a CORS preflight (OPTIONS) for the same URL")
	}
	if target, ok := f.RedirectTarget(); ok {
		label := strconv.Itoa(f.Status) + " " + StatusCode(f.Status).Reason
		s := "redirect to " + target + " (" + label + ")"
		if upgradesToHTTPS(f.URL, target) {
			s = "redirected from http to https (" + label + ")"
		}
		if f.Status == 303 || ((f.Status == 301 || f.Status == 302) && f.Method == "POST") {
			s += "; the browser follows it with GET"
		}
		n = append(n, s)
	}
	if p := in.Prev; p != nil {
		if target, ok := p.RedirectTarget(); ok && store.NormalizeURL(target) == store.NormalizeURL(f.URL) {
			n = append(n, "reached by a redirect from "+p.URL)
		}
	}
	conditional := f.ReqHeaders.Get("If-None-Match") != "" || f.ReqHeaders.Get("If-Modified-Since") != ""
	switch {
	case f.Status == 304:
		n = append(n, "revalidated: the browser had a copy and the server answered 304 Not Modified (RFC 9111 §4.3)")
	case f.Status == 200 && conditional:
		n = append(n, "the browser had a copy, but it had changed: the server sent a new one (RFC 9111 §4.3)")
	case f.Status >= 400:
		s := StatusCode(f.Status)
		n = append(n, strconv.Itoa(f.Status)+" "+s.Reason+": "+strings.TrimSuffix(FirstSentence(s.Meaning), "."))
	}
	return n
}

// corsNotes says when the browser will hide a cross-origin response from
// the script that asked (Fetch standard, CORS check).
func corsNotes(f *store.Flow) []string {
	if f.Status == 0 || isPreflight(f) || !strings.EqualFold(f.ReqHeaders.Get("Sec-Fetch-Mode"), "cors") {
		return nil
	}
	switch strings.ToLower(f.ReqHeaders.Get("Sec-Fetch-Site")) {
	case "cross-site", "same-site":
	default:
		return nil
	}
	acao := f.RespHeaders.Get("Access-Control-Allow-Origin")
	from := f.ReqHeaders.Get("Origin")
	switch {
	case acao == "":
		return []string{"no Access-Control-Allow-Origin in the answer: the browser hides this response from the script that asked (a CORS error)"}
	case acao == "*" && f.ReqHeaders.Get("Cookie") != "":
		return []string{"Access-Control-Allow-Origin is * but the request carried cookies: the browser hides the response from the script (a CORS error)"}
	case acao != "*" && from != "" && acao != from:
		return []string{"Access-Control-Allow-Origin (" + acao + ") does not match the page's origin (" + from + "): the browser hides the response (a CORS error)"}
	}
	return []string{"cross-origin request allowed by the server (Access-Control-Allow-Origin: " + acao + ")"}
}

func connNotes(in NoteInput) []string {
	f := in.Flow
	if f.Kind == store.KindTunnel && f.ConnID == 0 {
		return nil
	}
	var n []string
	switch {
	case f.ConnReused:
		return []string{"reused an open connection: no DNS, TCP or TLS this time"}
	case in.Conn != nil && !f.GotConn.IsZero():
		t := store.ComputeTimings(f, in.Conn)
		if parts, sum := dialParts(t); len(parts) > 1 {
			n = append(n, "new connection: "+strings.Join(parts, " + ")+" = "+FormatDuration(sum)+" before the request could be sent")
		} else if len(parts) == 1 {
			n = append(n, "new connection: "+parts[0]+" before the request could be sent")
		} else {
			n = append(n, "new connection (its DNS, TCP and TLS times were not recorded)")
		}
	case in.Conn == nil && f.ConnID != 0 && !f.GotConn.IsZero():
		n = append(n, "new connection (its DNS, TCP and TLS times were not recorded)")
	}
	if in.Lookup != nil {
		n = append(n, lookupNote(in.Conn, in.Lookup))
		if len(in.Lookup.CNAMEs) > 0 {
			n = append(n, "alias (CNAME): "+in.Lookup.Name+" -> "+strings.Join(in.Lookup.CNAMEs, " -> "))
		}
	}
	if c := in.Conn; c != nil {
		if len(c.Attempts) > 1 {
			n = append(n, "tried "+Plural(len(c.Attempts), "address", "addresses")+" to connect, one after another (RFC 8305)")
		}
		if c.TLS != nil && c.TLS.Resumed {
			n = append(n, "TLS session resumed from an earlier connection: a shorter handshake")
		}
	}
	return n
}

func timingNotes(in NoteInput) []string {
	f := in.Flow
	if f.Kind == store.KindTunnel {
		return nil
	}
	t := store.ComputeTimings(f, in.Conn)
	var n []string
	if t.Blocked >= noteMinBlocked {
		n = append(n, "queued for "+FormatDuration(t.Blocked)+" before a connection was free")
	}
	if total := t.Total(); total > 0 && t.Wait >= noteMinWait && 2*t.Wait >= total {
		pct := int64(t.Wait) * 100 / int64(total)
		n = append(n, fmt.Sprintf("wait was %d%% of this request: the server took %s to start answering", pct, FormatDuration(t.Wait)))
	}
	if f.Status > 0 {
		if rp := versionName(cmp.Or(f.OriginProto, f.RespProto)); rp != "" {
			s := "served over " + rp
			if cp := versionName(f.Proto); cp != "" && cp != rp {
				s += " (the browser spoke " + cp + " to glassbox)"
			}
			n = append(n, s)
		}
	}
	return n
}

func bodyNotes(f *store.Flow, budget *codec.Budget) []string {
	var n []string
	ce := strings.TrimSpace(f.RespHeaders.Get("Content-Encoding"))
	if ce != "" && !strings.EqualFold(ce, "identity") {
		switch size, ok := decodedSize(f, budget); {
		case ok:
			n = append(n, "compressed with "+ce+": "+FormatBytes(f.RespBody.Size)+" on the wire for "+FormatBytes(size)+" of content")
		case f.RespBody.Size > 0:
			n = append(n, "compressed with "+ce+": "+FormatBytes(f.RespBody.Size)+" on the wire")
		default:
			n = append(n, "compressed with "+ce)
		}
	}
	if s := truncNote("body", f.RespBody); s != "" {
		n = append(n, s)
	}
	if s := truncNote("request body", f.ReqBody); s != "" {
		n = append(n, s)
	}
	return n
}

func truncNote(what string, b store.Body) string {
	if !b.Truncated {
		return ""
	}
	if b.Missing {
		return "the " + what + " (" + FormatBytes(b.Size) + ") was stored in the body file beside the database, which no longer holds it"
	}
	if b.Shed {
		return "the " + what + " (" + FormatBytes(b.Size) + ") was forwarded whole but not stored: glassbox shed the copy because bodies came faster than its database took them"
	}
	if len(b.Data) > 0 {
		return "the " + what + " stored here is truncated: first " + FormatBytes(int64(len(b.Data))) + " of " + FormatBytes(b.Size)
	}
	return "the " + what + " stored here is truncated: glassbox kept only the first part of " + FormatBytes(b.Size)
}

func cookieNotes(f *store.Flow) []string {
	var n []string
	if names := cookieNames(f.ReqHeaders.Values("Cookie"), false); len(names) > 0 {
		n = append(n, "cookies sent: "+strconv.Itoa(len(names))+" ("+nameList(names)+")")
	}
	if names := cookieNames(f.RespHeaders.Values("Set-Cookie"), true); len(names) > 0 {
		n = append(n, "cookies set: "+strconv.Itoa(len(names))+" ("+nameList(names)+")")
	}
	return n
}

func nameList(names []string) string {
	if len(names) <= noteMaxNames {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:noteMaxNames], ", ") + " and " + strconv.Itoa(len(names)-noteMaxNames) + " more"
}

// cacheNote sums up what Cache-Control lets the browser do with a
// successful GET, strongest rule first.
func cacheNote(f *store.Flow) string {
	if f.Status < 200 || f.Status >= 300 || (f.Method != "GET" && f.Method != "") {
		return ""
	}
	var maxAge int64 = -1
	var noStore, noCache bool
	for _, v := range f.RespHeaders.Values("Cache-Control") {
		for _, d := range splitList(v) {
			k, val, _ := param(d)
			switch k {
			case "no-store":
				noStore = true
			case "no-cache":
				noCache = true
			case "max-age":
				if s, ok := seconds(val); ok {
					maxAge = s
				}
			}
		}
	}
	switch {
	case noStore:
		return "not kept in the browser's cache (Cache-Control: no-store)"
	case noCache || maxAge == 0:
		return "kept, but checked with the server before each reuse (Cache-Control: " + strings.Join(f.RespHeaders.Values("Cache-Control"), ", ") + ")"
	case maxAge > 0:
		return "may be reused for " + humanSeconds(maxAge) + " without asking the server (Cache-Control: max-age=" + strconv.FormatInt(maxAge, 10) + ")"
	}
	return ""
}
