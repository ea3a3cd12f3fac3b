package model

// The filter language of the inspector's `/` line and of
// `glassbox export --filter`. A filter is a list of terms separated by
// spaces; a flow must match every term (AND).
//
//	shop            the URL contains "shop" (any case)
//	"two words"     quotes keep spaces in free text
//	status:4xx      a status class; status:304 one code; status:4xx,5xx either
//	status>=400     comparisons work on status, dur and size: > >= < <=
//	type:script     resource type: document, stylesheet (css), script (js),
//	                image (img), font, fetch (xhr, api), media, websocket, other
//	host:cdn.*      the host name, as a glob: * any run, ? one character
//	method:POST     the request method
//	dur>200ms       duration; units us, ms, s, m (a bare number is ms)
//	size>1mb        response size; units b, kb, mb, gb (powers of 1024)
//	page:3          flows of page load 3; page:0 the ones no page load made
//	init:script     what made the request: navigation (nav), redirect,
//	                parser (html), stylesheet (css), script (js), preflight,
//	                browser, client, unknown; init:1 the requests flow 1
//	                caused; init:guess the ones glassbox decided by time or
//	                origin alone
//	error           flows that failed (no response, or one cut short)
//	body:TEXT       the decoded request or response body contains TEXT (any
//	                case); body~REGEX matches a Go regular expression;
//	                body:"two words" (filter_body.go)
//	marked          flows marked in the inspector (M)
//	comment:TEXT    flows whose comment contains TEXT; commented: any comment
//	-term, !term    negation: flows that do NOT match the term
//
// Values may list alternatives with commas (type:script,stylesheet).

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// Filter is a parsed filter expression. The zero Filter matches every flow.
type Filter struct {
	text   string
	terms  []term
	bodies []bodyTest // the body terms' tests, in order (filter_body.go)
	hits   *BodyHits  // what a scan of the bodies found, for MatchRow
}

// term is one condition; match is what it tests, negate flips it.
type term struct {
	text   string
	negate bool
	match  func(r *Row) bool
	bit    uint8 // a body term's bit in BodyHits and ScanFlow; 0 for others
}

// FilterError explains why a term cannot be read.
type FilterError struct {
	Term string // the term as typed
	Msg  string // what is wrong and what would work
}

func (e *FilterError) Error() string { return fmt.Sprintf("%s: %s", e.Term, e.Msg) }

// FilterSyntax documents the language for help screens: a term and what
// it selects. Keep it in step with the comment at the top of this file.
var FilterSyntax = [][2]string{
	{"shop", "the URL contains \"shop\" (any case); quote text with spaces"},
	{"status:4xx", "a class; status:304 one code; status:4xx,5xx either"},
	{"status>=400", "comparisons: > >= < <= on status, dur and size"},
	{"type:script", "document, stylesheet (css), script (js), image, font, fetch (xhr), media, websocket, other"},
	{"host:cdn.*", "the host name as a glob: * any run, ? one character"},
	{"method:POST", "the request method"},
	{"dur>200ms", "duration: us, ms, s, m (a bare number is ms)"},
	{"size>1mb", "response size: b, kb, mb, gb (powers of 1024)"},
	{"page:3", "flows of page load 3; page:0 the ones no page load made"},
	{"init:script", "what made the request: navigation (nav), redirect, parser (html), stylesheet (css), script (js), preflight, browser, client, unknown"},
	{"init:1", "the requests flow 1 caused (its HTML, its stylesheet, its redirect); init:guess the ones glassbox decided by time or origin alone"},
	{"error", "flows that failed: no response, or one cut short"},
	{"marked", "flows you marked (M); commented: flows with a comment (a); comment:TEXT, a comment containing TEXT"},
	{"body:TEXT", "the decoded request or response body contains TEXT (any case); body~REGEX a regular expression; body:\"two words\""},
	{"-term !term", "flows that do not match the term"},
	{"a b c", "every term must match (AND)"},
}

// FilterKeys are the keys the language knows, for help screens.
var FilterKeys = []string{"status", "type", "host", "method", "dur", "size", "page", "init", "body", "comment", "error", "marked", "commented"}

// ParseFilter reads a filter expression. An empty string gives the
// Filter that matches everything.
func ParseFilter(s string) (Filter, error) {
	f := Filter{text: strings.TrimSpace(s)}
	words, err := splitTerms(s)
	if err != nil {
		return Filter{}, err
	}
	for _, w := range words {
		t, err := f.parseTerm(w)
		if err != nil {
			return Filter{}, err
		}
		f.terms = append(f.terms, t)
	}
	return f, nil
}

// String is the expression as given.
func (f Filter) String() string { return f.text }

// Empty reports whether the filter matches everything.
func (f Filter) Empty() bool { return len(f.terms) == 0 }

// Match reports whether a flow passes every term. Body terms test the
// flow's bodies, which must have been read with it (HasBody says when).
func (f Filter) Match(fl *store.Flow) bool { return f.MatchAnnotated(fl, store.Annotation{}) }

// MatchAnnotated is Match for a flow with its annotation (marked,
// comment:TEXT).
func (f Filter) MatchAnnotated(fl *store.Flow, note store.Annotation) bool {
	if f.Empty() {
		return true
	}
	r := NewRow(fl)
	r.Marked, r.Comment = note.Marked, note.Comment
	bits := f.ScanFlow(fl)
	for i := range f.terms {
		t := &f.terms[i]
		ok := false
		if t.bit != 0 {
			ok = bits&t.bit != 0
		} else {
			ok = t.match(&r)
		}
		if ok == t.negate {
			return false
		}
	}
	return true
}

// MatchRow is Match on a flow's summary. Body terms read the hits of the
// scan so far: a flow not scanned yet matches none of them, negated or not.
func (f Filter) MatchRow(r *Row) bool {
	for i := range f.terms {
		t := &f.terms[i]
		if t.bit != 0 && f.bodyPending(r) {
			return false
		}
		if t.match(r) == t.negate {
			return false
		}
	}
	return true
}

// quoted marks a word that came in quotes: always free text.
type word struct {
	text   string
	quoted bool
	negate bool
}

func splitTerms(s string) ([]word, error) {
	var out []word
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if rs[i] == ' ' || rs[i] == '\t' {
			i++
			continue
		}
		w := word{}
		if rs[i] == '-' || rs[i] == '!' {
			w.negate = true
			i++
		}
		if i < len(rs) && rs[i] == '"' {
			end := i + 1
			for end < len(rs) && rs[end] != '"' {
				end++
			}
			if end == len(rs) {
				return nil, &FilterError{Term: string(rs[i:]), Msg: "a quote is not closed"}
			}
			w.text, w.quoted = string(rs[i+1:end]), true
			i = end + 1
		} else {
			var text []rune
			for i < len(rs) && rs[i] != ' ' && rs[i] != '\t' {
				if rs[i] != '"' {
					text = append(text, rs[i])
					i++
					continue
				}
				end := i + 1 // key:"a value with spaces"
				for end < len(rs) && rs[end] != '"' {
					end++
				}
				if end == len(rs) {
					return nil, &FilterError{Term: string(rs[i:]), Msg: "a quote is not closed"}
				}
				text = append(text, rs[i+1:end]...)
				i = end + 1
			}
			w.text = string(text)
		}
		if w.text == "" && !w.quoted {
			return nil, &FilterError{Term: "-", Msg: "negate what? write -term or !term with no space"}
		}
		out = append(out, w)
	}
	return out, nil
}

func (f *Filter) parseTerm(w word) (term, error) {
	t := term{text: w.text, negate: w.negate}
	full := w.text
	if w.negate {
		full = "-" + w.text
	}
	if w.quoted {
		t.match = textMatcher(w.text)
		return t, nil
	}
	key, op, val := splitKey(w.text)
	if op == "=" {
		if !knownKey(key) {
			// "q=shoes" is a query parameter, not a term.
			key, op, val = "", "", w.text
		} else {
			op = ":"
		}
	}
	var err error
	switch {
	case key == "" && strings.EqualFold(w.text, "error"):
		t.match = func(r *Row) bool { return r.Failed() }
	case key == "" && strings.EqualFold(w.text, "marked"):
		t.match = func(r *Row) bool { return r.Marked }
	case key == "" && strings.EqualFold(w.text, "commented"):
		t.match = func(r *Row) bool { return r.Comment != "" }
	case key == "":
		t.match = textMatcher(w.text)
	case key == "error" || key == "marked" || key == "commented":
		err = fmt.Errorf("%s takes no value: write %s, or -%s for the others", key, key, key)
	case key == "comment":
		t.match, err = commentMatcher(op, val)
	case key == "status":
		t.match, err = statusMatcher(op, val)
	case key == "type":
		t.match, err = eqOnly(op, key, val, typeMatcher)
	case key == "host":
		t.match, err = eqOnly(op, key, val, hostMatcher)
	case key == "method":
		t.match, err = eqOnly(op, key, val, methodMatcher)
	case key == "page":
		t.match, err = eqOnly(op, key, val, pageMatcher)
	case key == "init":
		t.match, err = eqOnly(op, key, val, initMatcher)
	case key == "body":
		if t.match, err = f.bodyTerm(op, val); err == nil {
			t.bit = uint8(1) << (len(f.bodies) - 1)
		}
	case key == "dur":
		t.match, err = durMatcher(op, val)
	case key == "size":
		t.match, err = sizeMatcher(op, val)
	default:
		err = fmt.Errorf("unknown key %q (keys: %s; quote text that has a colon)", key, strings.Join(FilterKeys, " "))
	}
	if err != nil {
		return term{}, &FilterError{Term: full, Msg: err.Error()}
	}
	return t, nil
}

// splitKey finds key, operator and value in "status:4xx" or "dur>=1s".
// Words with no operator, or that look like URLs ("https://..."), have
// no key: they are free text.
func splitKey(s string) (key, op, val string) {
	if len(s) > 5 && strings.EqualFold(s[:5], "body~") {
		return "body", "~", s[5:] // ~ is an operator of body only: "~user" is text
	}
	i := strings.IndexAny(s, ":<>=")
	if i <= 0 || strings.Contains(s, "://") || strings.HasPrefix(s[i:], ":/") {
		return "", "", s
	}
	key = strings.ToLower(s[:i])
	for _, c := range []byte(key) {
		if c < 'a' || c > 'z' {
			return "", "", s // "a.b:8080" is a host with a port, free text
		}
	}
	rest := s[i:]
	for _, o := range []string{">=", "<=", ":", ">", "<", "="} {
		if strings.HasPrefix(rest, o) {
			op, val = o, rest[len(o):]
			break
		}
	}
	return key, op, val
}

func knownKey(k string) bool {
	for _, known := range FilterKeys {
		if k == known {
			return true
		}
	}
	return false
}

func textMatcher(s string) func(r *Row) bool {
	needle := strings.ToLower(s)
	return func(r *Row) bool { return containsFold(r.URL, needle) }
}

// containsFold is strings.Contains ignoring ASCII case, without allocating:
// the filter runs over every row on each keystroke.
func containsFold(hay, lowerNeedle string) bool {
	n := len(lowerNeedle)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(hay); i++ {
		j := 0
		for ; j < n; j++ {
			c := hay[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lowerNeedle[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

// eqOnly builds a key:value matcher whose value may list alternatives.
func eqOnly(op, key, val string, one func(string) (func(*Row) bool, error)) (func(*Row) bool, error) {
	if op != ":" {
		return nil, fmt.Errorf("%s takes %s:value, not %s", key, key, op)
	}
	if val == "" {
		return nil, fmt.Errorf("%s: what value? e.g. %s", key, example[key])
	}
	var ms []func(*Row) bool
	for _, v := range strings.Split(val, ",") {
		if v == "" {
			continue
		}
		m, err := one(v)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return anyOf(ms), nil
}

var example = map[string]string{
	"status": "status:404, status:4xx or status>=400",
	"type":   "type:script",
	"host":   "host:cdn.*",
	"method": "method:POST",
	"page":   "page:3",
	"init":   "init:script or init:1",
	"dur":    "dur>200ms",
	"size":   "size>1mb",
}

func anyOf(ms []func(*Row) bool) func(*Row) bool {
	if len(ms) == 1 {
		return ms[0]
	}
	return func(r *Row) bool {
		for _, m := range ms {
			if m(r) {
				return true
			}
		}
		return false
	}
}

func durMatcher(op, val string) (func(*Row) bool, error) {
	if op == ":" {
		return nil, fmt.Errorf("compare a duration: dur>200ms, dur<1s")
	}
	d, err := parseDur(val)
	if err != nil {
		return nil, err
	}
	return compare(op, func(r *Row) int64 { return int64(r.Dur) }, int64(d)), nil
}

func parseDur(v string) (time.Duration, error) {
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
		return time.Duration(n * float64(time.Millisecond)), nil
	}
	d, err := time.ParseDuration(strings.ReplaceAll(strings.ToLower(v), "µ", "u"))
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration: write e.g. 200ms, 1.5s, 2m", v)
	}
	return d, nil
}

func sizeMatcher(op, val string) (func(*Row) bool, error) {
	if op == ":" {
		return nil, fmt.Errorf("compare a size: size>1mb, size<10kb")
	}
	n, err := ParseSize(val)
	if err != nil {
		return nil, err
	}
	return compare(op, func(r *Row) int64 { return r.Size }, n), nil
}
