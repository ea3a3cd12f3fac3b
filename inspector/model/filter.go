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
//	page:3          flows of page load 3; page:0 the unattributed ones
//	error           flows that failed (no response, or one cut short)
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
	text  string
	terms []term
}

// term is one condition; match is what it tests, negate flips it.
type term struct {
	text   string
	negate bool
	match  func(r *Row) bool
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
	{"page:3", "flows of page load 3; page:0 the unattributed ones"},
	{"error", "flows that failed: no response, or one cut short"},
	{"-term !term", "flows that do not match the term"},
	{"a b c", "every term must match (AND)"},
}

// FilterKeys are the keys the language knows, for help screens.
var FilterKeys = []string{"status", "type", "host", "method", "dur", "size", "page", "error"}

// ParseFilter reads a filter expression. An empty string gives the
// Filter that matches everything.
func ParseFilter(s string) (Filter, error) {
	f := Filter{text: strings.TrimSpace(s)}
	words, err := splitTerms(s)
	if err != nil {
		return Filter{}, err
	}
	for _, w := range words {
		t, err := parseTerm(w)
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

// Match reports whether a flow passes every term.
func (f Filter) Match(fl *store.Flow) bool {
	if f.Empty() {
		return true
	}
	r := NewRow(fl)
	return f.MatchRow(&r)
}

// MatchRow is Match on a flow's summary.
func (f Filter) MatchRow(r *Row) bool {
	for i := range f.terms {
		if f.terms[i].match(r) == f.terms[i].negate {
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
			start := i
			for i < len(rs) && rs[i] != ' ' && rs[i] != '\t' {
				i++
			}
			w.text = string(rs[start:i])
		}
		if w.text == "" && !w.quoted {
			return nil, &FilterError{Term: "-", Msg: "negate what? write -term or !term with no space"}
		}
		out = append(out, w)
	}
	return out, nil
}

func parseTerm(w word) (term, error) {
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
	case key == "":
		t.match = textMatcher(w.text)
	case key == "error":
		err = fmt.Errorf("error takes no value: write error, or -error for flows that did not fail")
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

func statusMatcher(op, val string) (func(*Row) bool, error) {
	if op != ":" {
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 || n > 999 {
			return nil, fmt.Errorf("compare with a code: %s", example["status"])
		}
		return compare(op, func(r *Row) int64 { return int64(r.Status) }, int64(n)), nil
	}
	return eqOnly(op, "status", val, func(v string) (func(*Row) bool, error) {
		lv := strings.ToLower(v)
		if len(lv) == 3 && lv[0] >= '1' && lv[0] <= '5' && lv[1:] == "xx" {
			class := int(lv[0] - '0')
			return func(r *Row) bool { return r.Status/100 == class }, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 999 {
			return nil, fmt.Errorf("%q is not a status: want a code (404), a class (4xx) or a comparison (status>=400)", v)
		}
		return func(r *Row) bool { return r.Status == n }, nil
	})
}

// typeAliases are the names people type for resource types.
var typeAliases = map[string]string{
	"css": store.TypeStylesheet, "style": store.TypeStylesheet, "js": store.TypeScript,
	"img": store.TypeImage, "xhr": store.TypeFetch, "api": store.TypeFetch, "json": store.TypeFetch,
	"doc": store.TypeDocument, "html": store.TypeDocument, "ws": store.TypeWebSocket,
	"video": store.TypeMedia, "audio": store.TypeMedia,
}

// Types lists the resource types a filter accepts, in display order.
var Types = []string{store.TypeDocument, store.TypeStylesheet, store.TypeScript, store.TypeImage,
	store.TypeFont, store.TypeFetch, store.TypeMedia, store.TypeWebSocket, store.TypeOther}

func typeMatcher(v string) (func(*Row) bool, error) {
	t := strings.ToLower(v)
	if a, ok := typeAliases[t]; ok {
		t = a
	}
	for _, known := range Types {
		if t == known {
			return func(r *Row) bool { return r.Type == t }, nil
		}
	}
	return nil, fmt.Errorf("unknown type %q: use %s", v, strings.Join(Types, ", "))
}

func hostMatcher(v string) (func(*Row) bool, error) {
	pat := strings.ToLower(v)
	withPort := strings.Contains(pat, ":")
	return func(r *Row) bool {
		h := r.HostName()
		if withPort {
			h = r.Host
		}
		return Glob(pat, strings.ToLower(h))
	}, nil
}

func methodMatcher(v string) (func(*Row) bool, error) {
	m := strings.ToUpper(v)
	return func(r *Row) bool { return strings.EqualFold(r.Method, m) }, nil
}

func pageMatcher(v string) (func(*Row) bool, error) {
	if v == "none" {
		v = "0"
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%q is not a page number: page:3, or page:0 for unattributed flows", v)
	}
	return func(r *Row) bool { return r.PageID == n }, nil
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

// ParseSize reads "512", "10kb", "1.5mb", "2g", "4 MiB": K, M and G (with
// or without "iB"/"B") are powers of 1024, what people mean for body sizes.
// The filter's size> and the --max-body and --max-db-size flags share it.
func ParseSize(v string) (int64, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"gib", 1 << 30}, {"mib", 1 << 20}, {"kib", 1 << 10}, {"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10},
		{"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}, {"b", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%q is not a size: write e.g. 500, 10kb, 1.5mb", v)
	}
	return int64(f * float64(mult)), nil
}

func compare(op string, get func(*Row) int64, n int64) func(*Row) bool {
	switch op {
	case ">":
		return func(r *Row) bool { return get(r) > n }
	case ">=":
		return func(r *Row) bool { return get(r) >= n }
	case "<":
		return func(r *Row) bool { return get(r) < n }
	}
	return func(r *Row) bool { return get(r) <= n }
}

// Glob matches s against a pattern where * is any run of characters
// (dots included) and ? is one character.
func Glob(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
