package explain

import (
	"sort"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// HeaderInfo explains what one header field is for.
type HeaderInfo struct {
	Name      string // canonical spelling, e.g. "Content-Type"
	Direction string // "request", "response" or "both"
	Purpose   string
	Ref       string // where it is defined
}

// Header directions, as HeaderInfo.Direction spells them.
const (
	reqDir  = "request"
	respDir = "response"
	bothDir = "both"
)

// Header explains a header field by name, ignoring case. ok is false when
// the field is not in glassbox's table; DescribeHeader always answers.
func Header(name string) (HeaderInfo, bool) {
	h, ok := headerIndex[strings.ToLower(strings.TrimSpace(name))]
	return h, ok
}

// DescribeHeader explains any header field: from the table when it is
// known, otherwise a general answer from the shape of its name (X-, Sec-,
// CF- and similar vendor prefixes).
func DescribeHeader(name string) HeaderInfo {
	if h, ok := Header(name); ok {
		return h
	}
	lower := strings.ToLower(strings.TrimSpace(name))
	h := HeaderInfo{Name: name, Direction: bothDir}
	switch {
	case strings.HasPrefix(lower, "x-"):
		h.Purpose = "A custom header: the X- prefix marks a field that some software invented for its own use, outside any standard. Only the software that sent it knows exactly what it means; browsers ignore it unless a standard says otherwise. New fields should no longer use X-."
		h.Ref = "RFC 6648 §3 (the X- convention is deprecated)"
	case strings.HasPrefix(lower, "sec-"):
		h.Purpose = "A header the browser sets itself: page scripts cannot set or change fields whose name starts with Sec-, so a server can trust they came from the browser."
		h.Ref = "Fetch standard (forbidden request-headers)"
	case strings.HasPrefix(lower, "cf-"), strings.HasPrefix(lower, "fastly-"), strings.HasPrefix(lower, "akamai-"),
		strings.HasPrefix(lower, "x-amz-"), strings.HasPrefix(lower, "x-goog-"):
		h.Purpose = "A header added by a CDN or a cloud provider on the way, for its own tracing and caching."
		h.Ref = "vendor documentation (not standardised)"
	default:
		h.Purpose = "A header glassbox has no explanation for. Fields a recipient does not know are ignored, so it matters only to software that expects it."
		h.Ref = "RFC 9110 §5.1 (unknown fields are ignored)"
	}
	return h
}

// Headers lists every header glassbox can explain, sorted by name.
func Headers() []HeaderInfo {
	out := append([]HeaderInfo(nil), headerTable...)
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

var headerIndex = func() map[string]HeaderInfo {
	m := make(map[string]HeaderInfo, len(headerTable))
	for _, h := range headerTable {
		m[strings.ToLower(h.Name)] = h
	}
	return m
}()

// headerTable is grouped by subject; Headers sorts it.
var headerTable = []HeaderInfo{
	// HTTP/2 and HTTP/3 pseudo-header fields: the request and status lines
	// of HTTP/1, as fields that come first in the block.
	{":method", reqDir, "HTTP/2's form of the method of HTTP/1's request line (GET, POST...).", "RFC 9113 §8.3.1"},
	{":scheme", reqDir, "HTTP/2: the scheme of the URL asked for, https or http. HTTP/1 has no such field: the connection said it.", "RFC 9113 §8.3.1"},
	{":authority", reqDir, "HTTP/2's form of Host: the host name (and port, if not the default) of the site the request is for.", "RFC 9113 §8.3.1"},
	{":path", reqDir, "HTTP/2: the path and query of the URL, the target of HTTP/1's request line.", "RFC 9113 §8.3.1"},
	{":protocol", reqDir, "HTTP/2 extended CONNECT: the protocol to run over the stream, e.g. websocket (WebSockets over HTTP/2).", "RFC 8441 §4"},
	{":status", respDir, "HTTP/2's form of HTTP/1's status line: the status code alone, without a reason phrase.", "RFC 9113 §8.3.2"},

	// Who and what is asked for.
	{"Host", reqDir, "The host name (and port, if not the default) of the site the request is for. One server, one IP address, can serve many sites; Host tells it which one. HTTP/2 and HTTP/3 carry it as the :authority pseudo-header instead.", "RFC 9110 §7.2"},
	{"User-Agent", reqDir, "Names the browser and its version, and often the operating system. Servers use it for statistics and, less wisely, to serve different pages to different browsers.", "RFC 9110 §10.1.5"},
	{"Accept", reqDir, "The formats the client can use (HTML, images, JSON...), each with an optional preference weight q between 0 and 1. The server picks one it has.", "RFC 9110 §12.5.1"},
	{"Accept-Language", reqDir, "The languages the reader prefers, from the browser's settings, in order of preference.", "RFC 9110 §12.5.4"},
	{"Accept-Encoding", reqDir, "The compressions the client can unpack (gzip, br, zstd...). The server may compress the response with one of them and says which in Content-Encoding.", "RFC 9110 §12.5.3"},
	{"Accept-Charset", reqDir, "The text encodings the client accepts. Modern browsers no longer send it, since nearly everything is UTF-8.", "RFC 9110 §12.5.2"},
	{"Referer", reqDir, "The address of the page that led to this request, such as the page with the link or the page that loaded the image. The misspelling is historic. Referrer-Policy limits how much of it is sent.", "RFC 9110 §10.1.3"},
	{"Origin", reqDir, "The origin (scheme, host and port) of the page that made the request, without a path. Sent with cross-origin requests and with POSTs; servers use it for CORS decisions and to refuse forged form posts.", "RFC 6454 §7, Fetch standard (Origin header)"},
	{"Expect", reqDir, "Asks the server for something before going on; in practice only 100-continue: tell me whether you want the body before I send it.", "RFC 9110 §10.1.1"},
	{"TE", reqDir, "The transfer codings the client accepts besides chunked; in practice only \"trailers\", saying it can read fields sent after the body (gRPC relies on this).", "RFC 9110 §10.1.4"},
	{"Priority", bothDir, "How urgent the response is (u=0 most urgent to u=7 least) and whether it can be used in pieces as it arrives (i). Browsers set it so that, say, a stylesheet comes before an image; servers may use it to order what they send.", "RFC 9218 §5"},
	{"Upgrade-Insecure-Requests", reqDir, "Sent as 1 with page loads: the browser prefers the secure (https) version of the address, and the server may redirect it there.", "W3C Upgrade Insecure Requests §3.2"},
	{"DNT", reqDir, "Do Not Track: 1 means the user asked not to be tracked. The standard was abandoned and most sites ignore it; Global Privacy Control (Sec-GPC) is its successor.", "W3C Tracking Preference Expression (discontinued)"},

	// Fetch metadata and client hints: set by the browser, not by scripts.
	{"Sec-Fetch-Site", reqDir, "How the page that made the request relates to the target: same-origin, same-site, cross-site, or none (the user typed the address or used a bookmark). Servers use it to refuse requests forged by other sites.", "W3C Fetch Metadata Request Headers"},
	{"Sec-Fetch-Mode", reqDir, "How the request was made: navigate (loading a page), cors, no-cors, same-origin or websocket. It decides how the browser treats the response.", "W3C Fetch Metadata Request Headers"},
	{"Sec-Fetch-Dest", reqDir, "What the response will be used as: document, image, script, style, font, empty (a fetch from a script)... glassbox uses it to sort requests by type.", "W3C Fetch Metadata Request Headers"},
	{"Sec-Fetch-User", reqDir, "Sent as ?1 when the user started the navigation (a click, a typed address) rather than a script.", "W3C Fetch Metadata Request Headers"},
	{"Sec-Purpose", reqDir, "Says the request is not for immediate use: prefetch means the browser is loading a page the user will probably open next.", "Fetch standard (Sec-Purpose header)"},
	{"Sec-CH-UA", reqDir, "User-Agent Client Hints: the browser's brands and major versions, as a structured list (for example \"Chromium\";v=\"124\"). Meant to replace the long User-Agent string.", "WICG User-Agent Client Hints, RFC 8942"},
	{"Sec-CH-UA-Mobile", reqDir, "A Client Hint: ?1 when the browser considers itself a mobile device, ?0 otherwise.", "WICG User-Agent Client Hints, RFC 8942"},
	{"Sec-CH-UA-Platform", reqDir, "A Client Hint: the operating system, such as \"Windows\", \"macOS\", \"Linux\" or \"Android\".", "WICG User-Agent Client Hints, RFC 8942"},
	{"Accept-CH", respDir, "The server lists the Client Hints it would like to receive (device memory, full version...) on later requests; the browser decides which to send.", "RFC 8942 §3.1"},

	// Credentials and cookies.
	{"Cookie", reqDir, "The cookies the browser stored for this site, sent back with every matching request: this is how a site remembers a login or a cart between requests.", "RFC 6265 §4.2"},
	{"Set-Cookie", respDir, "Asks the browser to store a cookie, with attributes that say for how long, for which paths and hosts, and when it may be sent. Each cookie comes in its own Set-Cookie line.", "RFC 6265 §4.1"},
	{"Authorization", reqDir, "Credentials for the server: a login (Basic), a token (Bearer) or another scheme. glassbox hides its value in exports unless asked not to.", "RFC 9110 §11.6.2"},
	{"WWW-Authenticate", respDir, "Sent with 401 to say how to log in: the scheme (Basic, Bearer, Digest...) and a realm naming the protected area.", "RFC 9110 §11.6.1"},
	{"Proxy-Authorization", reqDir, "Credentials for a proxy between the client and the server, not for the server itself.", "RFC 9110 §11.7.2"},
	{"Proxy-Authenticate", respDir, "Sent by a proxy with 407 to say how to log in to the proxy.", "RFC 9110 §11.7.1"},

	// Conditional requests and ranges.
	{"If-None-Match", reqDir, "Carries the ETag of the copy the client already has: if the resource still has that tag, the server answers 304 Not Modified with no body.", "RFC 9110 §13.1.2"},
	{"If-Modified-Since", reqDir, "Carries the Last-Modified date of the copy the client has: if nothing changed since, the server answers 304 Not Modified.", "RFC 9110 §13.1.3"},
	{"If-Match", reqDir, "Only do this if the resource still has this ETag. Used when saving, so that one client does not overwrite another's change (the server answers 412 otherwise).", "RFC 9110 §13.1.1"},
	{"If-Unmodified-Since", reqDir, "Only do this if the resource has not changed since this date; the date-based cousin of If-Match.", "RFC 9110 §13.1.4"},
	{"If-Range", reqDir, "Used with Range when resuming a download: send just the missing part if the file is unchanged, or the whole file if it changed.", "RFC 9110 §13.1.5"},
	{"Range", reqDir, "Asks for only part of the resource, by bytes: how video players jump ahead and downloads resume.", "RFC 9110 §14.2"},
	{"Accept-Ranges", respDir, "Says whether the server accepts Range requests for this resource (bytes) or not (none).", "RFC 9110 §14.3"},
	{"Content-Range", respDir, "With 206 Partial Content, says which bytes this part holds and the full size; with 416 it gives the real size.", "RFC 9110 §14.4"},
	{"ETag", respDir, "A version tag for this exact copy of the resource. The browser sends it back in If-None-Match to ask whether its copy is still current. A W/ prefix marks a weak tag: equivalent content, not necessarily the same bytes.", "RFC 9110 §8.8.3"},
	{"Last-Modified", respDir, "When the server thinks the resource last changed. The browser sends it back in If-Modified-Since to revalidate its copy.", "RFC 9110 §8.8.2"},

	// Caching.
	{"Cache-Control", bothDir, "Caching rules. On a response: who may store it and for how long it may be reused without asking the server. On a request: what the client will accept from caches (a reload sends no-cache or max-age=0).", "RFC 9111 §5.2"},
	{"Expires", respDir, "A date after which the response is stale. The older way to say how long to keep it; Cache-Control max-age wins when both are present.", "RFC 9111 §5.3"},
	{"Age", respDir, "How many seconds the response has already spent in a shared cache (a CDN or proxy), so the browser can count its remaining freshness correctly.", "RFC 9111 §5.1"},
	{"Vary", respDir, "Names the request headers that changed the response (Accept-Encoding, Accept-Language...). Caches must keep a separate copy for each different value of those headers.", "RFC 9110 §12.5.5"},
	{"Pragma", bothDir, "The HTTP/1.0 ancestor of Cache-Control; Pragma: no-cache is still sent by some clients for old caches. Deprecated.", "RFC 9111 §5.4"},

	// The message and its body.
	{"Content-Type", bothDir, "The format of the body (its media type, such as text/html or application/json) and, for text, its character encoding. The browser decides what to do with the body from this.", "RFC 9110 §8.3"},
	{"Content-Length", bothDir, "The size of the body in bytes, so the receiver knows where it ends and can show progress.", "RFC 9110 §8.6"},
	{"Content-Encoding", bothDir, "The compression applied to the body (gzip, br, zstd...). The browser unpacks it before using it; Content-Length counts the compressed bytes.", "RFC 9110 §8.4"},
	{"Content-Language", respDir, "The language of the content, meant for the reader.", "RFC 9110 §8.5"},
	{"Content-Location", respDir, "The URL of the exact version that was sent, when it differs from the URL asked for (for example a language-specific copy).", "RFC 9110 §8.7"},
	{"Content-Disposition", respDir, "Whether to show the body in the page (inline) or save it as a file (attachment), and the file name to suggest.", "RFC 6266 §4"},
	{"Transfer-Encoding", bothDir, "HTTP/1.1 only: how the body is framed on this connection. chunked sends it in pieces, each with its own length, so a server can start before it knows the total size. HTTP/2 and HTTP/3 frame bodies themselves.", "RFC 9112 §6.1"},
	{"Trailer", bothDir, "Announces header fields that will come after the body, such as a checksum computed while sending.", "RFC 9110 §6.6.2"},
	{"Date", bothDir, "When the message was created, by the sender's clock. Caches use it to work out a response's age.", "RFC 9110 §6.6.1"},
	{"Server", respDir, "Names the server software, such as nginx or Apache, sometimes with its version. Many sites shorten it to tell attackers less.", "RFC 9110 §10.2.4"},
	{"X-Powered-By", respDir, "Names the framework or language behind the site (Express, PHP...). Not standard; it tells attackers which bugs to try, so many sites remove it.", "no standard (a common custom header)"},
	{"Allow", respDir, "The methods the resource accepts, sent with 405 Method Not Allowed and in answers to OPTIONS.", "RFC 9110 §10.2.1"},
	{"Location", respDir, "Where to go next: the target of a redirect (3xx), or the address of something just created (201).", "RFC 9110 §10.2.2"},
	{"Retry-After", respDir, "How long to wait before trying again, in seconds or as a date; sent with 503, 429 and some redirects.", "RFC 9110 §10.2.3"},
	{"Link", respDir, "Links to related resources in a header. With rel=preload or rel=preconnect it lets the browser start fetching or connecting early, even before the HTML arrives (see 103 Early Hints).", "RFC 8288 §3"},

	// Connections and the path between client and server.
	{"Connection", bothDir, "HTTP/1.1 options for this connection only: keep-alive to reuse it, close to end it after this response, upgrade to switch protocols. It also lists hop-by-hop headers a proxy must remove. HTTP/2 and HTTP/3 forbid it.", "RFC 9110 §7.6.1"},
	{"Keep-Alive", bothDir, "HTTP/1.x: how long an idle connection stays open (timeout) and how many more requests it may carry (max). Never standardised in HTTP/1.1; forbidden in HTTP/2.", "RFC 2068 §19.7.1.1 (historic)"},
	{"Upgrade", bothDir, "Offers (in a request) or confirms (with 101) a switch of this connection to another protocol, most often websocket.", "RFC 9110 §7.8"},
	{"Alt-Svc", respDir, "Says the same site is also available another way, usually over HTTP/3 on a UDP port; the browser may switch to it for later requests.", "RFC 7838 §3"},
	{"Via", bothDir, "Each proxy or gateway the message passed through adds itself here, which shows the path and helps catch loops.", "RFC 9110 §7.6.3"},
	{"Forwarded", reqDir, "Added by proxies: the client's address, the host it asked for and the protocol it used, before the proxy. The standard form of X-Forwarded-*.", "RFC 7239 §4"},
	{"X-Forwarded-For", reqDir, "Added by proxies and load balancers: the chain of client addresses the request came from. Not a standard, and easy to fake unless your own proxy sets it.", "no standard (RFC 7239 defines Forwarded as its replacement)"},
	{"X-Forwarded-Proto", reqDir, "Added by a load balancer: the protocol (http or https) the client used to reach it, so the application behind it knows.", "no standard (RFC 7239 defines Forwarded as its replacement)"},
	{"X-Forwarded-Host", reqDir, "Added by a proxy: the Host the client originally asked for.", "no standard (RFC 7239 defines Forwarded as its replacement)"},
	{"X-Requested-With", reqDir, "Set by some JavaScript libraries to XMLHttpRequest, so a server can tell script requests from page loads. Not standard.", "no standard (a common custom header)"},

	// WebSocket handshake.
	{"Sec-WebSocket-Key", reqDir, "A random value in the WebSocket opening request; the server proves it understood the request by transforming it into Sec-WebSocket-Accept.", "RFC 6455 §11.3.1"},
	{"Sec-WebSocket-Accept", respDir, "The server's answer to Sec-WebSocket-Key, sent with 101: proof that it really speaks WebSocket.", "RFC 6455 §11.3.3"},
	{"Sec-WebSocket-Version", bothDir, "The WebSocket protocol version; 13 is the only one in use.", "RFC 6455 §11.3.5"},
	{"Sec-WebSocket-Protocol", bothDir, "The application protocols the client can speak over the WebSocket, and the one the server picked.", "RFC 6455 §11.3.4"},
	{"Sec-WebSocket-Extensions", bothDir, "WebSocket extensions offered and accepted, usually permessage-deflate (compressed messages).", "RFC 6455 §11.3.2"},

	// CORS: how a page may read answers from another origin.
	{"Access-Control-Allow-Origin", respDir, "CORS: which origin's pages may read this response from a script: one origin, or * for any. Without it, the browser still receives a cross-origin response but hides it from the page's script.", "Fetch standard (CORS protocol)"},
	{"Access-Control-Allow-Credentials", respDir, "CORS: true lets a script read the response even though the request carried cookies or other credentials. Needs a named origin, not *.", "Fetch standard (CORS protocol)"},
	{"Access-Control-Allow-Methods", respDir, "CORS, in the answer to a preflight: the methods a cross-origin script may use.", "Fetch standard (CORS protocol)"},
	{"Access-Control-Allow-Headers", respDir, "CORS, in the answer to a preflight: the request headers a cross-origin script may send.", "Fetch standard (CORS protocol)"},
	{"Access-Control-Expose-Headers", respDir, "CORS: response headers a cross-origin script may read besides the few safe ones (Content-Type, Cache-Control...).", "Fetch standard (CORS protocol)"},
	{"Access-Control-Max-Age", respDir, "CORS: how many seconds the browser may remember this preflight answer before asking again. Browsers apply their own cap.", "Fetch standard (CORS protocol)"},
	{"Access-Control-Request-Method", reqDir, "CORS, in a preflight (OPTIONS): the method the script wants to use in the real request.", "Fetch standard (CORS protocol)"},
	{"Access-Control-Request-Headers", reqDir, "CORS, in a preflight (OPTIONS): the non-simple headers the script wants to send in the real request.", "Fetch standard (CORS protocol)"},

	// Security policies sent by the server.
	{"Strict-Transport-Security", respDir, "HSTS: for the given time, the browser must reach this host only over https, and must not let the user click through certificate errors. Only honoured when received over https.", "RFC 6797 §6.1"},
	{"Content-Security-Policy", respDir, "Limits where the page may load scripts, styles, images, frames and more from, and what it may do. A strong defence against injected scripts (XSS).", "W3C Content Security Policy Level 3"},
	{"Content-Security-Policy-Report-Only", respDir, "Same rules as Content-Security-Policy, but only reported, not enforced: a way to test a policy before switching it on.", "W3C Content Security Policy Level 3"},
	{"X-Content-Type-Options", respDir, "nosniff: the browser must trust Content-Type instead of guessing the format from the bytes, and refuse scripts and stylesheets labelled with the wrong type.", "Fetch standard (X-Content-Type-Options header)"},
	{"X-Frame-Options", respDir, "Whether other sites may show this page inside a frame (DENY, SAMEORIGIN). Protects against clickjacking; CSP frame-ancestors is the modern replacement.", "RFC 7034 §2"},
	{"X-XSS-Protection", respDir, "Controlled an old browser filter against reflected scripts. Browsers removed the filter; the header does nothing today except in very old browsers. Use Content-Security-Policy.", "no standard (obsolete)"},
	{"Referrer-Policy", respDir, "How much of the page's address the browser may send in Referer when the page loads things or the user follows a link.", "W3C Referrer Policy"},
	{"Permissions-Policy", respDir, "Switches browser features (camera, microphone, geolocation, fullscreen...) on or off for this page and the frames inside it.", "W3C Permissions Policy"},
	{"Cross-Origin-Opener-Policy", respDir, "COOP: whether a window this page opens, or that opened it, from another origin may keep a handle on it. same-origin isolates the page from such windows.", "WHATWG HTML standard (COOP)"},
	{"Cross-Origin-Embedder-Policy", respDir, "COEP: the page may only embed cross-origin resources that agree to it (require-corp) or are loaded without credentials (credentialless). Needed, with COOP, for powerful features like SharedArrayBuffer.", "WHATWG HTML standard (COEP)"},
	{"Cross-Origin-Resource-Policy", respDir, "CORP: which sites may embed this resource (same-origin, same-site, cross-origin). Protects it from being pulled into other sites' pages.", "Fetch standard (Cross-Origin-Resource-Policy header)"},
	{"Origin-Agent-Cluster", respDir, "?1 asks the browser to keep this origin in its own agent cluster (often its own process), apart from same-site pages.", "WHATWG HTML standard (origin-keyed agent clusters)"},
	{"Clear-Site-Data", respDir, "Asks the browser to delete what it stored for this site: \"cache\", \"cookies\", \"storage\", or \"*\" for all. Often sent on logout.", "W3C Clear Site Data"},

	// Measuring and reporting.
	{"Server-Timing", respDir, "The server's own timings for this response (database, cache, application...), which browser developer tools show next to the network timings.", "W3C Server Timing"},
	{"Timing-Allow-Origin", respDir, "Which origins may see the detailed timings of this resource (DNS, connect, TTFB) through the Resource Timing API; without it, other origins see only the total.", "W3C Resource Timing"},
	{"Report-To", respDir, "The older way to name endpoints where the browser sends reports (CSP violations, network errors); being replaced by Reporting-Endpoints.", "W3C Reporting API (earlier version)"},
	{"Reporting-Endpoints", respDir, "Names the URLs where the browser should send reports about this page (policy violations, deprecations, crashes).", "W3C Reporting API"},
	{"NEL", respDir, "Network Error Logging: asks the browser to report failed requests to this site (DNS, TCP, TLS errors) to a Report-To endpoint, so operators see failures their servers never saw.", "W3C Network Error Logging"},
}

// HeaderRole says, in a few words, what a header's role (store.Headers.Roles)
// means for what glassbox passed on; "" for an end-to-end field.
func HeaderRole(role string) string {
	switch role {
	case store.RoleHopByHop:
		return "not forwarded: for this connection only (RFC 9110 §7.6.1)"
	case store.RoleFraming:
		return "framing: glassbox frames the message it forwards itself (RFC 9112 §6)"
	case store.RolePseudo:
		return "HTTP/2 pseudo-header: its form of the request or status line (RFC 9113 §8.3)"
	case store.RoleProxy:
		return "for the proxy: never forwarded, never stored"
	}
	return ""
}
