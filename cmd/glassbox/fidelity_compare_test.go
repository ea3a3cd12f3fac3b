package main_test

// The comparison of TestBrowserFidelity: for each request hop the browser
// sent through glassbox and glassbox recorded (paired by method and URL,
// in order: match), the browser's record against glassbox's, field by
// field:
//
//   - the request head: what Chromium sent (requestWillBeSentExtraInfo)
//     is what glassbox recorded (ReqHeaders, as sent): every field, names
//     in the same case, values exactly. DevTools gives the head as an
//     object, so the order cannot be checked against it (glassbox's
//     order is checked against raw clients in proxy/fidelity_test.go).
//   - the response head: what Chromium received is what glassbox
//     forwarded; glassbox recorded what the origin sent (RespHeaders). The
//     two differ only where a rule below says why: names compared without
//     case (glassbox's server writes its own), each name's values in
//     order (DevTools joins them with "\n").
//   - the browser leg's protocol (Chromium's response.protocol against
//     Proto) and the status;
//   - the body: the bytes Chromium decoded (dataReceived) against
//     glassbox's stored body decoded by store/codec, wherever glassbox kept
//     it whole. (The sizes DevTools gives before decoding count framing:
//     HTTP/2 frame headers, chunk lines; and its encodedBodyLength is not
//     sent by this Chromium.)

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec"
)

// The rules: the differences between the two records that are what a
// proxy does, each with its reason. Any other difference fails the test.
const (
	ruleCookieCrumbs = "h2-cookie-crumbs"
	rulePseudoStatus = "h2-status-field"
	ruleHopByHop     = "hop-by-hop-not-forwarded"
	ruleFraming      = "framing-per-leg"
	ruleDateAdded    = "date-added"
	ruleOwnClose     = "proxy-connection-close"
	rule304Body      = "304-body-from-cache"
	ruleRedirectBody = "redirect-body-unread"
	rulePartialBody  = "body-kept-in-part"
	rule304Metadata  = "h1-server-drops-304-fields"
)

var ruleWhy = map[string]string{
	ruleCookieCrumbs: "an HTTP/2 cookie sent in crumbs (RFC 9113 §8.2.3): glassbox records the fields as they came, DevTools joins them with \"; \"",
	rulePseudoStatus: "an HTTP/2 origin's :status: the browser leg's status says it",
	ruleHopByHop:     "a field of the origin's hop only (or the proxy's): not forwarded (RFC 9110 §7.6.1)",
	ruleFraming:      "Content-Length, Transfer-Encoding: each leg is framed on its own (RFC 9112 §6)",
	ruleDateAdded:    "Date added by glassbox to a response that had none: a proxy must (RFC 9110 §6.6.1)",
	ruleOwnClose:     "Connection: close from glassbox's server, about its own connection with the browser",
	rule304Body:      "a 304's body is the browser's cached copy (RFC 9111 §4.3.4): no body crossed the proxy",
	ruleRedirectBody: "a redirect's body, which the browser never reads",
	rulePartialBody:  "glassbox kept part of the body (--max-body): sizes not compared",
	// A limit of Go's, not a choice: net/http's server deletes these from
	// every 304 it writes (its suppressedHeaders), and glassbox answers an
	// HTTP/1.1 browser through it. RFC 9110 §15.4.5 lets a 304 leave them
	// out; a cache that would have updated its stored Content-Type from
	// the 304 (RFC 9111 §4.3.4) keeps the old one.
	rule304Metadata: "Content-Type of a 304 to an HTTP/1.1 browser: net/http's server drops it, glassbox cannot forward it",
}

// tally is what a comparison compared, the rules it applied and the
// differences no rule explains.
type tally struct {
	requests, reported int
	unreported         []string // flows glassbox recorded that the browser did not report
	compared, rules    map[string]int
	// noted counts what forwarding changes without changing meaning: the
	// order of fields of different names (RFC 9110 §5.3) and the case of
	// names (§5.1), seen in the HTTP/1 heads Chromium reports as text.
	noted map[string]int
	diffs []string
}

func newTally() *tally {
	return &tally{compared: map[string]int{}, rules: map[string]int{}, noted: map[string]int{}}
}

func (tl *tally) add(o *tally) {
	tl.requests += o.requests
	tl.reported += o.reported
	tl.unreported = append(tl.unreported, o.unreported...)
	for k, v := range o.compared {
		tl.compared[k] += v
	}
	for k, v := range o.rules {
		tl.rules[k] += v
	}
	for k, v := range o.noted {
		tl.noted[k] += v
	}
	tl.diffs = append(tl.diffs, o.diffs...)
}

func (tl *tally) diff(r *seen, format string, args ...any) {
	tl.diffs = append(tl.diffs, fmt.Sprintf("%s %s: ", r.Method, r.URL)+fmt.Sprintf(format, args...))
}

// compare pairs the browser's hops with glassbox's flows and compares each pair.
func (tl *tally) compare(rec browserRecord, flows []store.Flow) {
	var exps []*expectation
	redirected := map[*seen]bool{}
	for _, r := range rec.reqs {
		if r.Prev != nil {
			redirected[r.Prev] = true
		}
		if !r.Cached && !r.FromSW && !r.Download {
			exps = append(exps, &expectation{Method: r.Method, URL: r.URL, Seq: r.Seq, From: r})
		}
	}
	tl.reported = len(exps)
	for _, f := range match(exps, flows) {
		tl.unreported = append(tl.unreported, fmt.Sprintf("#%d %s %s", f.ID, f.Method, f.Host()))
	}
	for _, e := range exps {
		r, f := e.From, e.Flow
		if f == nil {
			tl.diff(r, "glassbox recorded no flow for it")
			continue
		}
		tl.requests++
		tl.compareRequest(r, f)
		tl.compareResponse(r, f)
		tl.compareBody(r, f, redirected[r])
	}
}

// legProto is Chromium's name of a protocol in Go's.
var legProto = map[string]string{"h2": "HTTP/2.0", "http/1.1": "HTTP/1.1", "http/1.0": "HTTP/1.0"}

// fieldsByName groups a block by lower-case name: each name's values in
// order, and the names as written.
type fieldGroup struct {
	names, values []string
	role          string
}

func fieldsByName(h store.Headers) map[string]*fieldGroup {
	out := map[string]*fieldGroup{}
	roles := h.Roles()
	for i, f := range h {
		k := strings.ToLower(f.Name)
		g := out[k]
		if g == nil {
			g = &fieldGroup{role: roles[i]}
			out[k] = g
		}
		g.names, g.values = append(g.names, f.Name), append(g.values, f.Value)
	}
	return out
}

// devtoolsFields reads a DevTools head: lower-case name to value (a
// name's values joined by "\n"), and the names as written.
func devtoolsFields(h map[string]any) (values, names map[string]string) {
	values, names = map[string]string{}, map[string]string{}
	for k, v := range h {
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		values[strings.ToLower(k)], names[strings.ToLower(k)] = s, k
	}
	return values, names
}

// union is both sets of names, sorted.
func union[A, B any](a map[string]A, b map[string]B) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// compareRequest: the head Chromium sent against the one glassbox recorded.
func (tl *tally) compareRequest(r *seen, f *store.Flow) {
	if want := legProto[r.Wire.Protocol]; want != f.Proto {
		tl.diff(r, "browser leg: Chromium says %q, glassbox %q", r.Wire.Protocol, f.Proto)
	}
	tl.compared["protocol"]++
	if r.Wire.ReqHeaders == nil {
		tl.diff(r, "the browser reported no request head as sent")
		return
	}
	if !f.ReqHeadersAsSent {
		tl.diff(r, "glassbox's request head is net/http's parse, not as sent")
	}
	sent, names := devtoolsFields(r.Wire.ReqHeaders)
	rec := fieldsByName(f.ReqHeaders)
	for _, k := range union(sent, rec) {
		g, inRec := rec[k]
		v, inSent := sent[k]
		switch {
		case !inRec:
			tl.diff(r, "request field %s: %q sent, not recorded", names[k], v)
		case !inSent:
			tl.diff(r, "request field %s: %q recorded, not sent", g.names[0], g.values)
		case k == "cookie" && len(g.values) > 1 && strings.Join(g.values, "; ") == v:
			tl.rules[ruleCookieCrumbs]++
			tl.compared["request fields"]++
		case strings.Join(g.values, "\n") != v:
			tl.diff(r, "request field %s: sent %q, recorded %q", names[k], v, g.values)
		case g.names[0] != names[k]:
			tl.diff(r, "request field %q recorded as %q", names[k], g.names[0])
		default:
			tl.compared["request fields"]++
		}
	}
}

// compareResponse: the head Chromium received (glassbox's) against the
// one glassbox recorded (the origin's).
func (tl *tally) compareResponse(r *seen, f *store.Flow) {
	x := r.Wire.Extra
	if x == nil {
		tl.diff(r, "the browser reported no response head as received")
		return
	}
	// The status on the wire: responseReceived reports a revalidated
	// response with its cached status (200 for a 304).
	if x.StatusCode != int64(f.Status) {
		tl.diff(r, "status: the browser got %d, glassbox recorded %d", x.StatusCode, f.Status)
	}
	tl.compared["status"]++
	if !f.RespHeadersAsSent {
		tl.diff(r, "glassbox's response head is net/http's parse, not as sent")
	}
	got, names := devtoolsFields(x.Headers)
	rec := fieldsByName(f.RespHeaders)
	h1 := strings.HasPrefix(r.Wire.Protocol, "http/1")
	for _, k := range union(got, rec) {
		g, inRec := rec[k]
		v, inGot := got[k]
		role := ""
		if inRec {
			role = g.role
		}
		switch {
		case role == store.RolePseudo:
			if k != ":status" || g.values[0] != strconv.Itoa(f.Status) {
				tl.diff(r, "pseudo-header field %s: %q", k, g.values)
			}
			tl.rules[rulePseudoStatus]++
		case role == store.RoleHopByHop || role == store.RoleProxy:
			if inGot && !(k == "connection" && h1 && strings.EqualFold(v, "close")) {
				tl.diff(r, "response field %s (%s) was forwarded: %q", k, role, v)
				continue
			}
			if inGot {
				tl.rules[ruleOwnClose]++
			}
			tl.rules[ruleHopByHop]++
		case k == "content-length" || k == "transfer-encoding":
			if inRec && inGot && strings.Join(g.values, "\n") == v {
				tl.compared["response fields"]++
			} else if inRec && inGot && k == "content-length" {
				tl.diff(r, "Content-Length: the origin's %q, the browser's %q", g.values, v)
			} else {
				tl.rules[ruleFraming]++
			}
		case !inRec && k == "date":
			tl.rules[ruleDateAdded]++
		case !inRec && k == "connection" && h1 && strings.EqualFold(v, "close"):
			tl.rules[ruleOwnClose]++
		case !inRec:
			tl.diff(r, "response field %s: %q reached the browser, the origin never sent it", names[k], v)
		case !inGot && k == "content-type" && h1 && f.Status == 304:
			tl.rules[rule304Metadata]++
		case !inGot:
			tl.diff(r, "response field %s: %q sent by the origin, lost on the way", g.names[0], g.values)
		case strings.Join(g.values, "\n") != v:
			tl.diff(r, "response field %s: the origin's %q, the browser's %q", k, g.values, v)
		default:
			tl.compared["response fields"]++
		}
	}
	if x.HeadersText != "" {
		tl.noteForm(f.RespHeaders, x.HeadersText)
	}
}

// noteForm counts how the HTTP/1 head the browser got (text) differs in
// form from the origin's as recorded: the order of the names both have,
// and names written in another case.
func (tl *tally) noteForm(origin store.Headers, text string) {
	var got []string
	gotName := map[string]string{}
	for _, line := range strings.Split(text, "\r\n")[1:] {
		if name, _, ok := strings.Cut(line, ":"); ok {
			k := strings.ToLower(name)
			if _, seen := gotName[k]; !seen {
				got, gotName[k] = append(got, k), name
			}
		}
	}
	var sent, common []string
	seen := map[string]bool{}
	for _, f := range origin {
		k := strings.ToLower(f.Name)
		if n, ok := gotName[k]; ok && !seen[k] {
			seen[k] = true
			sent = append(sent, k)
			if n != f.Name {
				tl.noted["names in another case"]++
			}
		}
	}
	for _, k := range got {
		if seen[k] {
			common = append(common, k)
		}
	}
	tl.noted["HTTP/1 heads compared for form"]++
	if strings.Join(sent, ",") != strings.Join(common, ",") {
		tl.noted["heads in another order"]++
	}
}

// compareBody: the bytes the browser got against the body glassbox stored.
func (tl *tally) compareBody(r *seen, f *store.Flow, redirected bool) {
	b := f.RespBody
	switch {
	case r.Wire.Failed != "":
		tl.diff(r, "the browser's load failed: %s", r.Wire.Failed)
	case redirected:
		tl.rules[ruleRedirectBody]++
	case f.Status == 304:
		tl.rules[rule304Body]++
	case b.Truncated || b.Shed || int64(len(b.Data)) != b.Size:
		tl.rules[rulePartialBody]++
	default:
		n, ok := codec.Size(b.Data, f.RespHeaders.Get("Content-Encoding"), 1<<30)
		if !ok {
			tl.diff(r, "glassbox's body of %d bytes does not decode", b.Size)
		} else if n != r.Wire.Decoded {
			tl.diff(r, "body: the browser decoded %d bytes, glassbox's decodes to %d", r.Wire.Decoded, n)
		}
		tl.compared["body bytes, decoded"]++
	}
}

// table says what was compared, which rules explained what, and how many
// differences none did.
func (tl *tally) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "requests compared: %d of the %d the browser sent through glassbox\n", tl.requests, tl.reported)
	fmt.Fprintf(&b, "flows glassbox recorded that the browser did not report: %d %v\n", len(tl.unreported), tl.unreported)
	b.WriteString("compared and equal:\n")
	for _, k := range union(tl.compared, map[string]int{}) {
		fmt.Fprintf(&b, "  %-24s %5d\n", k, tl.compared[k])
	}
	b.WriteString("allowed differences, by rule:\n")
	for _, k := range union(ruleWhy, map[string]int{}) {
		fmt.Fprintf(&b, "  %-26s %5d  %s\n", k, tl.rules[k], ruleWhy[k])
	}
	b.WriteString("changed in form only (RFC 9110 §5.1, §5.3: glassbox's server writes the head anew):\n")
	for _, k := range union(tl.noted, map[string]int{}) {
		fmt.Fprintf(&b, "  %-30s %5d\n", k, tl.noted[k])
	}
	fmt.Fprintf(&b, "differences no rule explains: %d\n", len(tl.diffs))
	return b.String()
}
