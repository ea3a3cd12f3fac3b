package model

// The matchers of the filter language's keys (filter.go), one per key.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

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
	t, ok := oneOf(v, typeAliases, Types)
	if !ok {
		return nil, fmt.Errorf("unknown type %q: use %s", v, strings.Join(Types, ", "))
	}
	return func(r *Row) bool { return r.Type == t }, nil
}

// oneOf is the name in known that v means, in any case or by an alias.
func oneOf(v string, aliases map[string]string, known []string) (string, bool) {
	t := strings.ToLower(v)
	if a, ok := aliases[t]; ok {
		t = a
	}
	i := slices.Index(known, t)
	if i < 0 {
		return "", false
	}
	return known[i], true
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

func commentMatcher(op, val string) (func(*Row) bool, error) {
	if op != ":" || val == "" {
		return nil, fmt.Errorf("comment takes comment:TEXT (or commented for any comment)")
	}
	needle := strings.ToLower(val)
	return func(r *Row) bool { return containsFold(r.Comment, needle) }, nil
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

// initAliases are the names people type for initiator types.
var initAliases = map[string]string{
	"nav": store.InitNavigation, "html": store.InitParser, "doc": store.InitParser, "css": store.InitStylesheet,
	"js": store.InitScript, "cors": store.InitPreflight,
}

// initMatcher matches an initiator type, the flow that caused the request
// (a number, or #number), or "guess" (also "heuristic", "probably"): the
// initiators glassbox decided by time or origin alone. A capture from
// before initiators were recorded has none: init:unknown matches it.
func initMatcher(v string) (func(*Row) bool, error) {
	t := strings.ToLower(v)
	if n, err := strconv.ParseInt(strings.TrimPrefix(t, "#"), 10, 64); err == nil && n > 0 {
		return func(r *Row) bool { return r.InitFlow == n }, nil
	}
	switch t {
	case "guess", "heuristic", "probably":
		return func(r *Row) bool { return r.InitHeuristic }, nil
	case store.InitUnknown:
		return func(r *Row) bool { return r.Init == store.InitUnknown || r.Init == "" }, nil
	}
	if known, ok := oneOf(t, initAliases, InitTypes); ok {
		return func(r *Row) bool { return r.Init == known }, nil
	}
	return nil, fmt.Errorf("unknown initiator %q: use %s, a flow number (init:1), or guess", v, strings.Join(InitTypes, ", "))
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
