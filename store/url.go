package store

import (
	"net/url"
	"strings"
)

// NormalizeURL makes two spellings of one URL compare equal, the way a
// browser treats them as one resource (RFC 3986 §6.2.2 and §6.2.3): the
// scheme and host in lower case, the scheme's default port dropped, an
// empty path written "/", and the fragment, which never reaches a server,
// dropped. Percent-encoding and the query are left as they are: servers
// may tell those apart. A string that does not parse, or has no host, comes
// back unchanged.
func NormalizeURL(raw string) string {
	if _, ok := normalOrigin(raw); ok {
		return raw // already in normal form: most URLs a browser sends
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return raw // not an absolute URL with a host: nothing a browser fetches
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return raw
	}
	port := u.Port()
	if port == DefaultPort(u.Scheme) {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	return u.String()
}

// normalOrigin reports whether raw is already what NormalizeURL makes of
// it, and returns its origin then: an http(s) URL with a lower-case host,
// no user info, no default port, a path, no fragment, and only characters
// that url.URL.String writes back unchanged. Checking costs a pass over
// the string; parsing, an allocation per part.
func normalOrigin(raw string) (string, bool) {
	scheme := "https://"
	rest, ok := strings.CutPrefix(raw, scheme)
	if !ok {
		scheme = "http://"
		if rest, ok = strings.CutPrefix(raw, scheme); !ok {
			return "", false
		}
	}
	slash := strings.IndexByte(rest, '/')
	if slash <= 0 {
		return "", false
	}
	host := rest[:slash]
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == ':') {
			return "", false // upper case, user info, IPv6 brackets, anything odd: parse
		}
	}
	if strings.HasSuffix(host, ":") || (scheme == "https://" && strings.HasSuffix(host, ":443")) ||
		(scheme == "http://" && strings.HasSuffix(host, ":80")) {
		return "", false
	}
	for i := slash; i < len(rest); i++ {
		if !plainURLByte(rest[i]) {
			return "", false
		}
	}
	return scheme + host, true
}

// plainURLByte reports a byte url.URL.String keeps as it is in a path or
// query (RFC 3986's unreserved and sub-delims, '/', '?', ':', '@', and
// percent escapes), except '#', which starts a fragment.
func plainURLByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~/?&=+,;:@!$()*%", c) >= 0
}

// DefaultPort is a scheme's port when a URL names none: 80 for http and
// ws, 443 for https and wss (RFC 9110 §4.2, RFC 6455 §3).
func DefaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}

// IsRedirect reports whether a status sends the browser to its Location
// (RFC 9110 §15.4: 301, 302, 303, 307, 308; 300 and 304 do not).
func IsRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// RedirectTarget is where a redirect sends the browser: Location resolved
// against the request's URL (RFC 9110 §10.2.2), normalised. It returns
// false when the status is not a redirect or Location is missing or does
// not parse.
func RedirectTarget(requestURL string, status int, location string) (string, bool) {
	location = strings.TrimSpace(location)
	if !IsRedirect(status) || location == "" {
		return "", false
	}
	base, err := url.Parse(requestURL)
	if err != nil {
		return "", false
	}
	ref, err := url.Parse(location)
	if err != nil {
		return "", false
	}
	return NormalizeURL(base.ResolveReference(ref).String()), true
}

// Origin is a URL's scheme and host ("https://shop.example"), normalised,
// as Referer sends it for cross-origin requests; "" when the URL has no host.
func Origin(raw string) string {
	if o, ok := normalOrigin(raw); ok {
		return o
	}
	n := NormalizeURL(raw)
	i := strings.Index(n, "://")
	if i <= 0 {
		return ""
	}
	host := n[i+3:]
	if j := strings.IndexAny(host, "/?#"); j >= 0 {
		host = host[:j]
	}
	if host == "" {
		return ""
	}
	return n[:i+3+len(host)]
}

// RedirectTarget is where this flow's response sends the browser, if it is
// a redirect with a usable Location.
func (f *Flow) RedirectTarget() (string, bool) {
	return RedirectTarget(f.URL, f.Status, f.RespHeaders.Get("Location"))
}

// QueryParam is one name=value pair of a query string or a form body.
type QueryParam struct {
	Name, Value string
	HasValue    bool // "a=" has an (empty) value; "a" has none
}

// QueryParams splits a query string, or an application/x-www-form-urlencoded
// body, into its pairs in the order they were written (url.Values, a map,
// loses it), unescaping each part (WHATWG URL, "urlencoded parsing"); a
// part that does not unescape is kept as written.
func QueryParams(raw string) []QueryParam {
	var out []QueryParam
	for kv := range strings.SplitSeq(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, has := strings.Cut(kv, "=")
		out = append(out, QueryParam{Name: unescapeQuery(k), Value: unescapeQuery(v), HasValue: has})
	}
	return out
}

func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
