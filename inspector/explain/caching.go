package explain

import (
	"strings"
)

// cacheControl reads Cache-Control directives (RFC 9111 §5.2). The same
// word means different things on a request and on a response.
func cacheControl(v string, isRequest bool) []string {
	var out []string
	for _, d := range splitList(v) {
		k, val, _ := param(d)
		out = append(out, d+": "+cacheDirective(k, val, isRequest))
	}
	return out
}

func cacheDirective(k, val string, isRequest bool) string {
	if isRequest {
		return requestDirective(k, val)
	}
	return responseDirective(k, val)
}

// requestDirective reads a Cache-Control directive a browser sent
// (RFC 9111 §5.2.1).
func requestDirective(k, val string) string {
	switch k {
	case "max-age":
		n, ok := seconds(val)
		switch {
		case !ok:
			return "not a number of seconds, so caches ignore it"
		case n == 0:
			return "the browser will not take a stored copy without checking it with the server first, as on a reload (RFC 9111 §5.2.1.1)"
		}
		return "the browser accepts a stored copy up to " + humanSeconds(n) + " old (RFC 9111 §5.2.1.1)"
	case "no-cache":
		return "the browser wants a fresh answer from the server, not a stored copy, as on a hard reload (RFC 9111 §5.2.1.4)"
	case "no-store":
		return "asks every cache on the way not to store this request or its response (RFC 9111 §5.2.1.5)"
	case "max-stale":
		if n, ok := seconds(val); ok {
			return "the browser accepts a copy that has been stale for up to " + humanSeconds(n) + " (RFC 9111 §5.2.1.2)"
		}
		return "the browser accepts a stale copy, however old (RFC 9111 §5.2.1.2)"
	case "min-fresh":
		if n, ok := seconds(val); ok {
			return "the browser wants a copy that stays fresh for at least " + humanSeconds(n) + " more (RFC 9111 §5.2.1.3)"
		}
	case "only-if-cached":
		return "answer only from a cache; if nothing is stored, fail with 504 rather than ask the server (RFC 9111 §5.2.1.7)"
	case "no-transform":
		return "caches and proxies must not alter the body, for example by recompressing images (RFC 9111 §5.2.1.6)"
	}
	return "a directive caches do not know, so they ignore it"
}

// responseDirective reads a Cache-Control directive a server sent
// (RFC 9111 §5.2.2).
func responseDirective(k, val string) string {
	switch k {
	case "max-age":
		n, ok := seconds(val)
		switch {
		case !ok:
			return "not a number of seconds, so caches treat the response as stale"
		case n == 0:
			return "stale at once: it may be stored, but must be checked with the server before each reuse (RFC 9111 §5.2.2.1)"
		}
		return "may be reused for " + humanSeconds(n) + " without asking the server (RFC 9111 §5.2.2.1)"
	case "s-maxage":
		if n, ok := seconds(val); ok {
			return "shared caches (a CDN, a proxy) may reuse it for " + humanSeconds(n) + "; for them this replaces max-age (RFC 9111 §5.2.2.10)"
		}
		return "not a number of seconds, so shared caches treat the response as stale"
	case "no-store":
		return "must not be stored by any cache: every visit downloads it again (RFC 9111 §5.2.2.5)"
	case "no-cache":
		if val != "" {
			return "may be stored, but the fields " + val + " must not be reused without checking with the server (RFC 9111 §5.2.2.4)"
		}
		return "may be stored, but must be checked with the server (revalidated) before every reuse (RFC 9111 §5.2.2.4)"
	case "private":
		return "only the browser may store it, not a shared cache, because it may be personal (RFC 9111 §5.2.2.7)"
	case "public":
		return "any cache may store it, shared caches (a CDN, a proxy) included, even when the request carried a login (RFC 9111 §5.2.2.9)"
	case "immutable":
		return "will never change while fresh, so the browser need not check it even when the user reloads (RFC 8246 §2)"
	case "must-revalidate":
		return "once stale it must not be used without checking with the server, even if the server cannot be reached (RFC 9111 §5.2.2.2)"
	case "proxy-revalidate":
		return "like must-revalidate, but only for shared caches (RFC 9111 §5.2.2.8)"
	case "must-understand":
		return "store it only if the cache understands its status code's caching rules (RFC 9111 §5.2.2.3)"
	case "no-transform":
		return "caches and proxies must not alter the body, for example by recompressing images (RFC 9111 §5.2.2.6)"
	case "stale-while-revalidate":
		if n, ok := seconds(val); ok {
			return "for " + humanSeconds(n) + " after it goes stale, a cache may still use it while it fetches a fresh copy in the background (RFC 5861 §3)"
		}
	case "stale-if-error":
		if n, ok := seconds(val); ok {
			return "if the server fails (5xx or unreachable), a stale copy may still be used for " + humanSeconds(n) + " (RFC 5861 §4)"
		}
	}
	return "a directive caches do not know, so they ignore it"
}

func pragma(v string) []string {
	if strings.EqualFold(v, "no-cache") {
		return []string{"no-cache: the HTTP/1.0 way to ask for a fresh answer; Cache-Control takes precedence when present (RFC 9111 §5.4)"}
	}
	return []string{v + ": Pragma has no other standard meaning"}
}

func expires(v string) []string {
	t, ok := parseHTTPDate(v)
	if !ok {
		return []string{v + ": not a valid date, which caches read as already expired (RFC 9111 §5.3)"}
	}
	if t.Year() < 2000 {
		return []string{"a date long past (" + formatDate(t) + "): the usual way to say the copy is stale at once (RFC 9111 §5.3)"}
	}
	return []string{"the copy becomes stale on " + formatDate(t) + "; a max-age in Cache-Control wins over this date (RFC 9111 §5.3)"}
}

func age(v string) []string {
	n, ok := seconds(v)
	if !ok {
		return []string{v + ": not a number of seconds, so it is ignored"}
	}
	if n == 0 {
		return []string{"0: fresh from the server, or just stored by a shared cache"}
	}
	return []string{v + ": this copy has already spent " + humanSeconds(n) + " in a shared cache (a CDN or proxy) (RFC 9111 §5.1)"}
}

func vary(v string) []string {
	var out []string
	for _, f := range splitList(v) {
		switch strings.ToLower(f) {
		case "*":
			out = append(out, "*: the response depends on more than request headers, so no cache may reuse it for another request")
		case "accept-encoding":
			out = append(out, f+": caches keep one copy per compression the client accepts (say, one gzip and one Brotli copy)")
		case "origin":
			out = append(out, f+": caches keep one copy per requesting origin, as CORS answers differ per origin")
		case "cookie":
			out = append(out, f+": caches keep one copy per cookie value, in effect one per user, so shared caches gain little")
		case "user-agent":
			out = append(out, f+": caches keep one copy per browser version, which splits the cache into many small pieces")
		case "accept-language":
			out = append(out, f+": caches keep one copy per preferred language")
		case "accept":
			out = append(out, f+": caches keep one copy per list of accepted formats (say, one WebP and one PNG copy)")
		default:
			out = append(out, f+": caches keep one copy per value of the "+f+" request header")
		}
	}
	return out
}

func etag(v string) []string {
	if strings.HasPrefix(v, "W/") {
		return []string{v + ": a weak tag: another copy with this tag has equivalent content, not necessarily the same bytes (RFC 9110 §8.8.1)"}
	}
	return []string{v + ": a strong tag: it changes whenever a single byte of the content changes (RFC 9110 §8.8.3)"}
}

func ifNoneMatch(v string) []string {
	if v == "*" {
		return []string{"*: do this only if the resource does not exist yet, so nothing is created twice"}
	}
	tags := splitList(v)
	return []string{joinAnd(tags) + ": the browser has a copy with this tag; if it is still current, the server answers 304 Not Modified without a body (RFC 9110 §13.1.2)"}
}
