package render

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

// requestTab: the request line and method explained, every header with
// what it is for beside it, the query and the cookies sent.
func requestTab(d FlowDetail, w int) []Line {
	f := d.Flow
	out := flowTitle(f, w)
	out = append(out, causeLines(d, w)...)
	out = append(out, requestLine(f, w)...)
	out = append(out, Wrap(methodDoc(f.Method), w, "    ", "    ", Dim)...)
	out = append(out, section(fmt.Sprintf("Headers (%d)", len(f.ReqHeaders)))...)
	out = append(out, headerLines(f.ReqHeaders, true, w)...)
	if u, err := url.Parse(f.URL); err == nil && len(u.Query()) > 0 {
		q := u.Query()
		out = append(out, section(fmt.Sprintf("Query parameters (%d)", len(q)))...)
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range q[k] {
				out = append(out, L(S(Bold, "  "+Sanitize(k)), S(Dim, " = "), S(Normal, Fit(Sanitize(v), w-Width(k)-6))))
			}
		}
	}
	if cs := cookiesSent(f.ReqHeaders); len(cs) > 0 {
		out = append(out, section(fmt.Sprintf("Cookies sent (%d)", len(cs)))...)
		for _, c := range cs {
			out = append(out, L(S(Bold, "  "+c.Name), S(Dim, " = "), S(Normal, Fit(Sanitize(c.Value), w-Width(c.Name)-6))))
		}
	}
	out = append(out, section("Body")...)
	out = append(out, bodySummary(f.ReqBody, f.ReqHeaders.Get("Content-Type"), "the request")...)
	return out
}

// responseTab: the status line explained, every header, the cookies set.
func responseTab(d FlowDetail, w int) []Line {
	f := d.Flow
	out := flowTitle(f, w)
	out = append(out, L(S(Title, "Status line")))
	if f.Status == 0 {
		out = append(out, L(S(StatusFailed, "  no response")))
		if f.Error != nil {
			out = append(out, Wrap(explain.Summary(f.Error), w, "    ", "    ", Normal)...)
		}
		return out
	}
	st := explain.StatusCode(f.Status)
	out = append(out, L(S(StatusRole(f.Status, false), "  "+statusLine(f))))
	out = append(out, Wrap(st.Class+": "+explain.Class(f.Status).Meaning, w, "    ", "    ", Dim)...)
	out = append(out, Wrap(st.Meaning, w, "    ", "    ", Normal)...)
	if st.Browser != "" {
		out = append(out, Wrap("The browser: "+st.Browser, w, "    ", "    ", Normal)...)
	}
	if st.Ref != "" {
		out = append(out, L(S(Dim, "    "+st.Ref)))
	}
	out = append(out, section(fmt.Sprintf("Headers (%d)", len(f.RespHeaders)))...)
	out = append(out, headerLines(f.RespHeaders, false, w)...)
	if sets := f.RespHeaders.Values("Set-Cookie"); len(sets) > 0 {
		out = append(out, section(fmt.Sprintf("Cookies set (%d)", len(sets)))...)
		for _, v := range sets {
			out = append(out, setCookieLines(v, w)...)
		}
	}
	if len(f.RespTrailers) > 0 {
		out = append(out, section("Trailers (sent after the body)")...)
		out = append(out, headerLines(f.RespTrailers, false, w)...)
	}
	out = append(out, section("Body")...)
	out = append(out, bodySummary(f.RespBody, f.RespHeaders.Get("Content-Type"), "the response")...)
	return out
}

// requestLine is the request's first line as the browser's version has
// it: HTTP/1's request line; for HTTP/2, which has none, the
// pseudo-header fields that carry it (RFC 9113 §8.3.1). When glassbox
// spoke another version to the origin, it says so.
func requestLine(f *store.Flow, w int) []Line {
	path := pathQuery(f.URL)
	var out []Line
	if strings.HasPrefix(f.Proto, "HTTP/2") || strings.HasPrefix(f.Proto, "HTTP/3") {
		out = append(out, L(S(Title, "Request line")), L(S(Bold, "  :method "+f.Method+"  :path "+FitMiddle(path, w-20-len(f.Method)))),
			L(S(Dim, "    "+strings.TrimSuffix(f.Proto, ".0")+" has no request line: the pseudo-header fields carry it (RFC 9113 §8.3.1)")))
	} else {
		out = append(out, L(S(Title, "Request line")), L(S(Bold, "  "+f.Method+" "+FitMiddle(path, w-5-len(f.Method)-len(f.Proto))+" "+f.Proto)))
	}
	if f.OriginProto != "" && f.OriginProto != f.Proto {
		out = append(out, L(S(Dim, "    glassbox sent it on to the origin over "+f.OriginProto)))
	}
	return out
}

// statusLine is the response's first line in the form of the version the
// origin answered in: HTTP/1's status line ("HTTP/1.1 200 OK"); for
// HTTP/2 and HTTP/3, which have none, the :status field that stands for
// it (RFC 9113 §8.3.2), without a reason phrase, which they do not send.
func statusLine(f *store.Flow) string {
	switch {
	case strings.HasPrefix(f.RespProto, "HTTP/2"), strings.HasPrefix(f.RespProto, "HTTP/3"):
		return fmt.Sprintf(":status %d", f.Status)
	case f.RespProto == "": // an imported file that gave no version
		return fmt.Sprintf("%d %s", f.Status, reason(f))
	}
	return fmt.Sprintf("%s %d %s", f.RespProto, f.Status, reason(f))
}

// headerLines writes each field as "Name: value" with its purpose beside
// it when the pane is wide, below it when not, then what this value says.
func headerLines(h store.Headers, request bool, w int) []Line {
	if len(h) == 0 {
		return []Line{L(S(Dim, "  none"))}
	}
	wide := w >= 110
	leftW := w * 55 / 100
	var out []Line
	roles := h.Roles()
	for i, f := range h {
		name, value := Sanitize(f.Name), Sanitize(f.Value)
		purpose := headerPurpose(f.Name)
		if r := explain.HeaderRole(roles[i]); r != "" {
			purpose = "(" + r + ") " + purpose
		}
		if !wide {
			out = append(out, headerValueLines(name, value, w)...)
			out = append(out, Wrap(purpose, w, "      ", "      ", Dim)...)
		} else {
			out = append(out, beside(headerValueLines(name, value, leftW), Wrap(purpose, w-leftW-1, "", "", Dim), leftW)...)
		}
		for i, s := range headerReading(f.Name, f.Value, request) {
			if i == 4 {
				break
			}
			out = append(out, Wrap(s, w, "      ↳ ", "        ", Dim)...)
		}
	}
	return out
}

// beside puts right's lines to the right of left's, in a column starting
// after leftW cells.
func beside(left, right []Line, leftW int) []Line {
	var out []Line
	for i := 0; i < max(len(left), len(right)); i++ {
		var l Line
		if i < len(left) {
			l = append(l, left[i]...)
		}
		if i < len(right) {
			l = append(l, S(Normal, strings.Repeat(" ", max(leftW-Width(l.Text()), 0)+1)))
			l = append(l, right[i]...)
		}
		out = append(out, l)
	}
	return out
}

// headerValueLines wraps "Name: value" to w cells; long values (cookies,
// CSP) continue on indented lines.
func headerValueLines(name, value string, w int) []Line {
	first := "  " + name + ": "
	var out []Line
	rest := value
	room := w - Width(first)
	if room < 10 {
		room = 10
	}
	head, tail := cutAtBreak(rest, room)
	out = append(out, L(S(Bold, first), S(Normal, head)))
	for tail != "" && len(out) < 12 {
		head, tail = cutAtBreak(tail, max(w-6, 10))
		out = append(out, L(S(Normal, "      "+head)))
	}
	if tail != "" {
		out = append(out, L(S(Dim, fmt.Sprintf("      … %d more characters", len(tail)))))
	}
	return out
}

func cookiesSent(h store.Headers) []*http.Cookie {
	var out []*http.Cookie
	for _, v := range h.Values("Cookie") {
		cs, err := http.ParseCookie(v)
		if err != nil {
			// A malformed pair: list the raw text rather than nothing.
			for _, part := range strings.Split(v, ";") {
				name, val, _ := strings.Cut(strings.TrimSpace(part), "=")
				out = append(out, &http.Cookie{Name: name, Value: val})
			}
			continue
		}
		out = append(out, cs...)
	}
	return out
}

func setCookieLines(v string, w int) []Line {
	c, err := http.ParseSetCookie(v)
	if err != nil {
		return []Line{L(S(Normal, "  "+Fit(Sanitize(v), w-2))), L(S(WarnText, "      not a valid Set-Cookie: "+err.Error()))}
	}
	out := []Line{L(S(Bold, "  "+c.Name), S(Dim, " = "), S(Normal, Fit(Sanitize(c.Value), w-Width(c.Name)-6)))}
	var attrs []string
	if c.Domain != "" {
		attrs = append(attrs, "Domain="+c.Domain+" (sent to subdomains too)")
	} else {
		attrs = append(attrs, "host-only (no Domain)")
	}
	if c.Path != "" {
		attrs = append(attrs, "Path="+c.Path)
	}
	switch {
	case c.MaxAge < 0:
		attrs = append(attrs, "deletes the cookie (Max-Age<=0)")
	case c.MaxAge > 0:
		attrs = append(attrs, fmt.Sprintf("Max-Age=%d s", c.MaxAge))
	case !c.Expires.IsZero():
		attrs = append(attrs, "expires "+c.Expires.UTC().Format("2006-01-02 15:04 MST"))
	default:
		attrs = append(attrs, "session cookie (gone when the browser closes)")
	}
	if c.Secure {
		attrs = append(attrs, "Secure (https only)")
	}
	if c.HttpOnly {
		attrs = append(attrs, "HttpOnly (scripts cannot read it)")
	}
	switch c.SameSite {
	case http.SameSiteStrictMode:
		attrs = append(attrs, "SameSite=Strict")
	case http.SameSiteLaxMode:
		attrs = append(attrs, "SameSite=Lax")
	case http.SameSiteNoneMode:
		attrs = append(attrs, "SameSite=None (sent with cross-site requests)")
	}
	return append(out, Wrap(strings.Join(attrs, " · "), w, "      ", "      ", Dim)...)
}

// cutAtBreak cuts s after at most w cells, at a space, ';' or ',' when one
// is in the second half of the line: header values are lists.
func cutAtBreak(s string, w int) (string, string) {
	head, tail := cutWidth(s, w)
	if tail == "" {
		return head, tail
	}
	if i := strings.LastIndexAny(head, " ;,"); i >= len(head)/2 {
		return s[:i+1], s[i+1:]
	}
	return head, tail
}
