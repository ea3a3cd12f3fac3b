package explain

import (
	"strconv"
	"strings"
	"time"
)

// HeaderValue reads one header value and returns a plain sentence for each
// meaningful part of it, e.g. for "Cache-Control: public, max-age=3600":
//
//	public: any cache may store it, shared caches (a CDN, a proxy) included
//	max-age=3600: may be reused for 1 hour without asking the server
//
// isRequest says which side sent it, for fields whose meaning depends on it
// (Cache-Control). It returns nil for fields it cannot read; Header explains
// what those are for. Secrets (Authorization, cookie values) are never
// repeated back.
func HeaderValue(name, value string, isRequest bool) []string {
	v := strings.TrimSpace(value)
	if v == "" {
		return nil
	}
	switch strings.ToLower(strings.TrimSpace(name)) {
	// Caching and validation (caching.go).
	case "cache-control":
		return cacheControl(v, isRequest)
	case "pragma":
		return pragma(v)
	case "expires":
		return expires(v)
	case "age":
		return age(v)
	case "vary":
		return vary(v)
	case "etag":
		return etag(v)
	case "if-none-match":
		return ifNoneMatch(v)
	case "if-modified-since":
		return dateSentence(v, "the browser's copy dates from %s; if nothing changed since, the server can answer 304 Not Modified without a body")
	case "last-modified":
		return dateSentence(v, "the server says the resource last changed on %s")
	case "date":
		return dateSentence(v, "the message was created on %s, by the sender's clock")
	// Cookies and credentials (cookies.go).
	case "set-cookie":
		return setCookie(v)
	case "cookie":
		return cookie(v)
	case "authorization", "proxy-authorization":
		return authorization(v)
	case "www-authenticate", "proxy-authenticate":
		return wwwAuthenticate(v)
	// The body and its format (content.go).
	case "content-type":
		return contentType(v)
	case "content-length":
		return contentLength(v)
	case "content-encoding":
		return contentEncoding(v)
	case "accept-encoding":
		return acceptEncoding(v)
	case "accept":
		return accept(v)
	case "accept-language":
		return acceptLanguage(v)
	case "transfer-encoding":
		return transferEncoding(v)
	case "range":
		return rangeHeader(v)
	case "content-range":
		return contentRange(v)
	case "accept-ranges":
		return acceptRanges(v)
	case "content-disposition":
		return contentDisposition(v)
	// Security policies and CORS (security.go).
	case "strict-transport-security":
		return hsts(v)
	case "content-security-policy", "content-security-policy-report-only":
		return csp(v)
	case "x-content-type-options":
		return nosniff(v)
	case "x-frame-options":
		return frameOptions(v)
	case "referrer-policy":
		return referrerPolicy(v)
	case "permissions-policy":
		return permissionsPolicy(v)
	case "cross-origin-opener-policy":
		return coop(v)
	case "cross-origin-embedder-policy":
		return coep(v)
	case "cross-origin-resource-policy":
		return corp(v)
	case "clear-site-data":
		return clearSiteData(v)
	case "access-control-allow-origin":
		return acao(v)
	case "access-control-allow-credentials":
		return acac(v)
	case "access-control-allow-methods":
		return corsList(v, "a cross-origin script may use these methods: %s", "any method is allowed (but not when the request carries credentials)")
	case "access-control-allow-headers":
		return corsList(v, "a cross-origin script may send these headers: %s", "any header is allowed (but not when the request carries credentials)")
	case "access-control-expose-headers":
		return corsList(v, "a cross-origin script may also read these response headers: %s", "a cross-origin script may read every response header (but not when credentials are involved)")
	case "access-control-max-age":
		return acMaxAge(v)
	case "access-control-request-method":
		return []string{v + ": the script wants to send a " + strings.ToUpper(v) + " request; the server must allow it in Access-Control-Allow-Methods"}
	case "access-control-request-headers":
		return []string{v + ": the script wants to send these headers; the server must list them in Access-Control-Allow-Headers"}
	case "sec-fetch-site":
		return secFetchSite(v)
	case "sec-fetch-mode":
		return secFetchMode(v)
	case "sec-fetch-dest":
		return secFetchDest(v)
	case "sec-fetch-user":
		return secFetchUser(v)
	// Connections, routing and everything else (connection.go).
	case "connection":
		return connection(v)
	case "keep-alive":
		return keepAlive(v)
	case "upgrade":
		return upgrade(v)
	case "alt-svc":
		return altSvc(v)
	case "location", "content-location":
		return location(v)
	case "retry-after":
		return retryAfter(v)
	case "priority":
		return priority(v)
	case "link":
		return link(v)
	case "host":
		return host(v)
	case "origin":
		return origin(v)
	case "referer":
		return []string{"the page that led to this request: " + v}
	case "user-agent":
		return userAgent(v)
	case "server":
		return server(v)
	case "via":
		return via(v)
	case "x-forwarded-for":
		return forwardedFor(v)
	case "forwarded":
		return forwarded(v)
	case "upgrade-insecure-requests":
		return flag(v, "1: the browser prefers https: a server that has the same page over https may redirect it there (Upgrade Insecure Requests §3.2). Rewriting a page's own http:// addresses to https:// is the job of the Content-Security-Policy directive of the same name, not of this header")
	case "dnt":
		return flag(v, "1: the user asked not to be tracked (most sites ignore this)")
	case "sec-ch-ua":
		return secCHUA(v)
	case "sec-ch-ua-mobile":
		return boolSF(v, "?1: the browser says it runs on a mobile device", "?0: the browser says it is not on a mobile device")
	case "sec-ch-ua-platform":
		return []string{v + ": the operating system is " + unquote(v)}
	case "origin-agent-cluster":
		return boolSF(v, "?1: this origin asks for an agent cluster (often a process) of its own", "?0: this origin is happy to share an agent cluster with same-site pages")
	case "expect":
		return expect(v)
	case "sec-purpose", "purpose":
		return purpose(v)
	case "server-timing":
		return serverTiming(v)
	case "timing-allow-origin":
		return corsList(v, "these origins may see this resource's detailed timings: %s", "every origin may see this resource's detailed timings")
	}
	return nil
}

func expect(v string) []string {
	if strings.EqualFold(v, "100-continue") {
		return []string{"100-continue: the client waits for the server's 100 Continue (or an error) before sending the body (RFC 9110 §10.1.1)"}
	}
	return nil
}

// splitList splits a comma-separated field value (RFC 9110 §5.6.1),
// leaving commas inside quoted strings alone, and drops empty elements.
func splitList(v string) []string { return splitOutsideQuotes(v, ',') }

// splitOutsideQuotes splits v on sep, except inside double quotes, and
// trims each part.
func splitOutsideQuotes(v string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && quoted:
			i++
		case v[i] == '"':
			quoted = !quoted
		case v[i] == sep && !quoted:
			if p := strings.TrimSpace(v[start:i]); p != "" {
				out = append(out, p)
			}
			start = i + 1
		}
	}
	if p := strings.TrimSpace(v[start:]); p != "" {
		out = append(out, p)
	}
	return out
}

// param splits "key=value" into a lower-case key and an unquoted value.
func param(s string) (key, val string, hasVal bool) {
	k, v, ok := strings.Cut(s, "=")
	return strings.ToLower(strings.TrimSpace(k)), unquote(strings.TrimSpace(v)), ok
}

// unquote removes the double quotes around a quoted string, if any.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `\"`, `"`)
	}
	return s
}

// seconds reads a delta-seconds value (RFC 9111 §1.2.2).
func seconds(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil && n >= 0
}

// qValue reads the weight of an Accept-style element (RFC 9110 §12.4.2):
// "gzip;q=0.8" gives ("gzip", 0.8, true); no q gives weight 1.
func qValue(elem string) (token string, q float64, explicit bool) {
	parts := splitOutsideQuotes(elem, ';')
	if len(parts) == 0 {
		return "", 1, false
	}
	q = 1
	for _, p := range parts[1:] {
		if k, v, _ := param(p); k == "q" {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q, explicit = f, true
			}
		}
	}
	return parts[0], q, explicit
}

// parseHTTPDate reads the date formats found in headers and cookies: the
// IMF-fixdate of RFC 9110 §5.6.7, its obsolete forms, and the dashed form
// some servers still put in cookie Expires.
func parseHTTPDate(s string) (time.Time, bool) {
	for _, layout := range []string{
		time.RFC1123,                     // Sun, 06 Nov 1994 08:49:37 GMT
		"Monday, 02-Jan-06 15:04:05 MST", // RFC 850, obsolete
		time.ANSIC,                       // asctime, obsolete
		"Mon, 02-Jan-2006 15:04:05 MST",  // cookie dates
		"Mon, 02 Jan 2006 15:04:05 -0700",
	} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// formatDate writes a date for a learner: "2026-10-21 07:28 UTC".
func formatDate(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// dateSentence fills format's %s with the date in v, or says it is unreadable.
func dateSentence(v, format string) []string {
	t, ok := parseHTTPDate(v)
	if !ok {
		return []string{v + ": not a date in HTTP's format (RFC 9110 §5.6.7), so it is ignored"}
	}
	return []string{strings.Replace(format, "%s", formatDate(t), 1)}
}

// flag explains a field whose only meaningful value is "1".
func flag(v, one string) []string {
	if v == "1" {
		return []string{one}
	}
	return []string{v + ": only the value 1 has a meaning here"}
}

// boolSF explains a structured-field boolean (RFC 9651 §3.3.6): ?1 or ?0.
func boolSF(v, yes, no string) []string {
	switch v {
	case "?1":
		return []string{yes}
	case "?0":
		return []string{no}
	}
	return []string{v + ": not a boolean (?1 or ?0), so it is ignored"}
}
