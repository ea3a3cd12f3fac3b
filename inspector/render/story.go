package render

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
)

// step is one numbered step of the story.
type step struct {
	title string
	text  string
	role  Role
}

// storyTab tells one flow: the notes on it, its own steps with its own
// numbers, and the steps of its page's story it takes part in.
func storyTab(d FlowDetail, w int) []Line {
	out := flowTitle(d.Flow, w)
	if notes := flowNotes(d); len(notes) > 0 {
		out = append(out, L(S(Title, "Notes")))
		for _, n := range notes {
			out = append(out, Wrap(n, w, "  • ", "    ", Normal)...)
		}
		out = append(out, Blank)
	}
	out = append(out, L(S(Title, "This request, step by step")))
	out = append(out, steps(flowSteps(d), 1, w)...)
	if d.Flow.Error != nil {
		out = append(out, problemLines(d.Flow.Error, w)...)
	}
	if d.Page != nil && d.Page.Group.Page.FlowID == d.Flow.ID {
		out = append(out, Blank)
		out = append(out, Wrap("This request opened its page load: select the page's line in the list for the whole story of the page.", w, "", "", Dim)...)
	} else if d.Page != nil && d.Page.Flows != nil {
		var mine []explain.Step
		for _, st := range pageSteps(*d.Page) {
			if slices.Contains(st.Flows, d.Flow.ID) {
				mine = append(mine, st)
			}
		}
		if len(mine) > 0 {
			out = append(out, section("In the story of its page load")...)
			out = append(out, storySteps(mine, w)...)
		}
	}
	return out
}

func steps(ss []step, first, w int) []Line {
	var out []Line
	for i, s := range ss {
		num := fmt.Sprintf("%2d. ", first+i)
		out = append(out, L(S(Bold, num+s.title)))
		out = append(out, Wrap(s.text, w, "    ", "    ", s.role)...)
	}
	return out
}

// storySteps draws explain's numbered steps; their text marks list items
// with "- " and sub-items with "  - ".
func storySteps(ss []explain.Step, w int) []Line {
	var out []Line
	for _, s := range ss {
		out = append(out, L(S(Bold, fmt.Sprintf("%2d. %s", s.N, s.Title))))
		for _, line := range strings.Split(s.Text, "\n") {
			switch {
			case strings.HasPrefix(line, "  - "):
				out = append(out, Wrap(line[4:], w, "        ◦ ", "          ", Normal)...)
			case strings.HasPrefix(line, "- "):
				out = append(out, Wrap(line[2:], w, "      • ", "        ", Normal)...)
			default:
				out = append(out, Wrap(line, w, "    ", "    ", Normal)...)
			}
		}
	}
	return out
}

func problemLines(e *store.FlowError, w int) []Line {
	p := problem(e)
	out := section("What went wrong: " + p.Title)
	for _, part := range []struct{ label, text string }{{"What", p.What}, {"Why", p.Why}, {"Try", p.Fix}, {"Ref", p.Ref}} {
		if part.text != "" {
			out = append(out, Wrap(part.label+": "+part.text, w, "  ", "    ", Normal)...)
		}
	}
	if e.Message != "" {
		out = append(out, Wrap("Go said: "+e.Message, w, "  ", "    ", Dim)...)
	}
	return out
}

// flowSteps are steps 1-7 for one flow; steps that did not happen say why.
func flowSteps(d FlowDetail) []step {
	f := d.Flow
	t := store.ComputeTimings(f, d.Conn)
	return []step{
		{"The URL", urlStep(f.URL), Normal},
		{"Finding the IP address", dnsStep(d, t), Normal},
		{"Connecting", connectStep(d, t), Normal},
		{"Securing", tlsStep(d, t), Normal},
		{"The request", requestStep(f, t), Normal},
		{"The server's work", waitStep(f, t), Normal},
		responseStep(f, t),
	}
}

func urlStep(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw + " (glassbox could not read it as a URL)"
	}
	port := u.Port()
	switch {
	case port != "":
	case u.Scheme == "https" || u.Scheme == "wss":
		port = "443 (the default for https)"
	default:
		port = "80 (the default for http)"
	}
	s := fmt.Sprintf("%s: scheme %s, host %s, port %s, path %s", raw, u.Scheme, u.Hostname(), port, nonEmpty(u.EscapedPath(), "/"))
	if q := u.Query(); len(q) > 0 {
		names := make([]string, 0, len(q))
		for k := range q {
			names = append(names, k)
		}
		sort.Strings(names)
		s += fmt.Sprintf(", and %s in the query (%s)", plural(len(q), "parameter"), strings.Join(names, ", "))
	}
	return s + "."
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func dnsStep(d FlowDetail, t store.Timings) string {
	f := d.Flow
	switch {
	case f.Kind == store.KindTunnel && d.Conn == nil:
		return "Not recorded for a tunnel."
	case f.ConnReused:
		return "Skipped: this request reused an open connection, so the address was already known."
	case isIP(f.Host()):
		return "Nothing to look up: the host is already an IP address."
	case d.Lookup == nil && d.Conn == nil:
		return "No connection was recorded for this request."
	case d.Lookup == nil:
		return "No lookup was recorded for this connection."
	}
	l := d.Lookup
	var b strings.Builder
	b.WriteString(l.Name)
	if len(l.CNAMEs) > 0 {
		b.WriteString(" is an alias (CNAME) of " + strings.Join(l.CNAMEs, " -> ") + ";")
	}
	var addrs []string
	for _, a := range l.Answers {
		addrs = append(addrs, fmt.Sprintf("%s (%s, TTL %d s)", a.Addr, a.Type, a.TTL))
	}
	if len(addrs) > 0 {
		b.WriteString(" -> " + strings.Join(addrs, ", "))
	} else if l.Error != "" {
		b.WriteString(": " + l.Error)
	}
	b.WriteString(", " + dnsSource(l))
	if t.DNS >= 0 {
		b.WriteString(", in " + Dur(t.DNS))
	}
	return b.String() + "."
}

func dnsSource(l *store.Lookup) string {
	switch l.Source {
	case "hosts":
		return "from the hosts file " + l.Server
	case "cache":
		return "from glassbox's own DNS cache (an earlier answer still within its TTL)"
	case "trace":
		return fmt.Sprintf("by walking from the root servers down (%s)", plural(len(l.Hops), "hop"))
	case "network":
		return "asked of the resolver " + l.Server
	}
	return "from " + l.Source
}

func connectStep(d FlowDetail, t store.Timings) string {
	f, c := d.Flow, d.Conn
	switch {
	case f.ConnReused:
		return fmt.Sprintf("Reused connection #%d, opened by an earlier request: no new TCP handshake (keep-alive).", f.ConnID)
	case c == nil:
		return "No connection record: " + noConnReason(f)
	}
	s := "TCP handshake with " + nonEmpty(c.RemoteAddr, c.Host+":"+c.Port)
	if t.Connect >= 0 {
		s += " in " + Dur(t.Connect-max(t.SSL, 0))
	}
	if n := len(c.Attempts); n > 1 {
		s += fmt.Sprintf(" (%s: addresses tried one after another, RFC 8305)", plural(n, "attempt"))
	}
	return s + "."
}

func noConnReason(f *store.Flow) string {
	if f.Error != nil {
		return "it failed before one was ready (" + explain.Phase(f.Error.Phase) + ")."
	}
	return "none was recorded."
}

func tlsStep(d FlowDetail, t store.Timings) string {
	f, c := d.Flow, d.Conn
	https := strings.HasPrefix(f.URL, "https:") || strings.HasPrefix(f.URL, "wss:") || f.MITM
	switch {
	case !https && f.Kind != store.KindTunnel:
		return "Nothing: plain HTTP is not encrypted, so anyone on the path can read and change it."
	case f.Kind == store.KindTunnel:
		return "The browser and the server secured the tunnel themselves; glassbox passed the encrypted bytes through (--no-mitm)."
	case f.ConnReused:
		return "Already done when the connection was opened."
	case c == nil || c.TLS == nil:
		return "No TLS details were recorded."
	}
	tl := c.TLS
	s := tl.Version
	if tl.Cipher != "" {
		s += " with " + tl.Cipher
	}
	if tl.ALPN != "" {
		s += ", protocol " + tl.ALPN + " agreed by ALPN"
	}
	if t.SSL >= 0 {
		s += ", in " + Dur(t.SSL)
	}
	if len(tl.Chain) > 0 {
		s += "; certificate for " + certName(tl.Chain[0]) + " issued by " + tl.Chain[0].Issuer
	}
	if tl.Resumed {
		s += "; a resumed session (no full handshake)"
	}
	return s + ". glassbox checked it, then showed the browser its own certificate for the same name."
}

func certName(c store.CertSummary) string {
	if len(c.DNSNames) > 0 {
		return c.DNSNames[0]
	}
	return c.Subject
}

func requestStep(f *store.Flow, t store.Timings) string {
	s := fmt.Sprintf("%s %s with %s", f.Method, pathQuery(f.URL), plural(len(f.ReqHeaders), "header"))
	if f.ReqBody.Size > 0 {
		s += " and a body of " + Bytes(f.ReqBody.Size)
	}
	if t.Send > 0 {
		s += ", written in " + Dur(t.Send)
	}
	return s + ". " + methodDoc(f.Method)
}

func pathQuery(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.RequestURI()
	}
	return raw
}

func waitStep(f *store.Flow, t store.Timings) string {
	switch {
	case f.FirstByte.IsZero() && f.Error != nil:
		return "No answer came: the request failed while " + explain.Phase(f.Error.Phase) + "."
	case f.FirstByte.IsZero():
		return "No answer recorded."
	}
	return "The first byte of the answer came " + Dur(t.Wait) + " after the request was sent (time to first byte): the server's own work plus one round trip."
}

func responseStep(f *store.Flow, t store.Timings) step {
	if f.Status == 0 {
		text := "No response."
		if f.Error != nil {
			text = "No response: " + explain.Summary(f.Error)
		}
		return step{"The response", text, StatusFailed}
	}
	st := explain.StatusCode(f.Status)
	s := fmt.Sprintf("%d %s (%s): %s", f.Status, reason(f), st.Class, st.Meaning)
	if ct := f.RespHeaders.Get("Content-Type"); ct != "" {
		s += " The body is " + ct
		if f.RespBody.Size > 0 {
			s += ", " + Bytes(f.RespBody.Size)
		}
		if t.Receive > 0 {
			s += ", downloaded in " + Dur(t.Receive)
		}
		s += "."
	}
	if loc := f.RespHeaders.Get("Location"); loc != "" {
		s += " Next: " + loc
	}
	return step{"The response", s, StatusRole(f.Status, false)}
}

// PageDetail is what a page load's tabs show: the group and its flows'
// summaries (for the waterfall), and, once read, its flows with headers and
// the session's connections and lookups (for the story).
type PageDetail struct {
	Group    *model.Group
	Rows     []*model.Row
	Flows    []store.Flow // nil until read
	Conns    map[int64]*store.Conn
	Lookups  map[int64]*store.Lookup
	Selected int64 // a flow to mark in the waterfall
}

// PageTab returns the lines of one tab of a page load.
func PageTab(th *Theme, tab int, d PageDetail, w int) []Line {
	if PageTabs[tab%len(PageTabs)] == "Waterfall" {
		return Waterfall(th, d, w)
	}
	return pageStory(d, w)
}
