package explain

import (
	"strings"
)

// hsts reads Strict-Transport-Security (RFC 6797 §6.1).
func hsts(v string) []string {
	var out []string
	for _, d := range splitOutsideQuotes(v, ';') {
		k, val, _ := param(d)
		switch k {
		case "max-age":
			n, ok := seconds(val)
			switch {
			case !ok:
				out = append(out, d+": not a number of seconds, so the browser ignores the whole header")
			case n == 0:
				out = append(out, d+": the browser forgets its https-only rule for this host (RFC 6797 §6.1.1)")
			default:
				out = append(out, d+": for "+humanSeconds(n)+", this browser will use only https for this host, even when a link or a typed address says http (RFC 6797 §6.1.1)")
			}
		case "includesubdomains":
			out = append(out, d+": the rule covers every subdomain too (RFC 6797 §6.1.2)")
		case "preload":
			out = append(out, d+": the site asks to be built into browsers' HSTS preload list, so that even a first visit uses https (not part of RFC 6797; the list is kept by browser makers)")
		default:
			out = append(out, d+": a directive browsers ignore")
		}
	}
	return out
}

// cspDirectives says what each Content-Security-Policy directive governs.
var cspDirectives = map[string]string{
	"default-src":     "anything without a rule of its own",
	"script-src":      "scripts",
	"script-src-elem": "script elements",
	"script-src-attr": "inline event handlers (onclick=...)",
	"style-src":       "stylesheets",
	"style-src-elem":  "style elements and stylesheet links",
	"style-src-attr":  "inline style attributes",
	"img-src":         "images",
	"font-src":        "fonts",
	"connect-src":     "fetch, XMLHttpRequest and WebSocket connections",
	"media-src":       "audio and video",
	"object-src":      "plugins (object and embed elements)",
	"frame-src":       "frames this page embeds",
	"child-src":       "frames and workers",
	"worker-src":      "workers",
	"manifest-src":    "the web app manifest",
	"base-uri":        "the address in a base element",
	"form-action":     "where forms may be sent",
	"frame-ancestors": "the pages that may show this page in a frame",
}

// csp reads a Content-Security-Policy (W3C CSP Level 3): one sentence per
// directive.
func csp(v string) []string {
	var out []string
	for _, d := range splitOutsideQuotes(v, ';') {
		fields := strings.Fields(d)
		name := strings.ToLower(fields[0])
		sources := fields[1:]
		switch name {
		case "upgrade-insecure-requests":
			out = append(out, d+": the browser rewrites this page's http:// addresses to https:// before loading them")
			continue
		case "block-all-mixed-content":
			out = append(out, d+": blocks http content on an https page; deprecated, since browsers now do this anyway")
			continue
		case "report-uri":
			out = append(out, d+": violations are reported to this address (the older way; report-to replaces it)")
			continue
		case "report-to":
			out = append(out, d+": violations are reported to the endpoint with this name (see Reporting-Endpoints)")
			continue
		case "sandbox":
			out = append(out, d+": the page runs in a sandbox, as if in a sandboxed iframe, with only the listed permissions")
			continue
		}
		what, ok := cspDirectives[name]
		if !ok {
			out = append(out, d+": a directive glassbox does not know")
			continue
		}
		if len(sources) == 1 && strings.EqualFold(sources[0], "'none'") {
			out = append(out, clip(d, 60)+": "+what+": not allowed from anywhere")
			continue
		}
		var from []string
		for _, s := range sources {
			from = append(from, cspSource(s))
		}
		out = append(out, clip(d, 60)+": "+what+" may come only from "+joinAnd(from))
	}
	return out
}

func cspSource(s string) string {
	ls := strings.ToLower(s)
	switch {
	case ls == "'self'":
		return "this page's own origin"
	case ls == "'unsafe-inline'":
		return "code written inline in the page (which weakens the protection against injected scripts)"
	case ls == "'unsafe-eval'":
		return "code built from strings with eval() (risky)"
	case ls == "'strict-dynamic'":
		return "scripts loaded by scripts that are already trusted"
	case ls == "'unsafe-hashes'":
		return "inline event handlers that match a listed hash"
	case strings.HasPrefix(ls, "'nonce-"):
		return "elements carrying this page's nonce"
	case strings.HasPrefix(ls, "'sha256-"), strings.HasPrefix(ls, "'sha384-"), strings.HasPrefix(ls, "'sha512-"):
		return "code with exactly this hash"
	case ls == "https:":
		return "any https address"
	case ls == "http:":
		return "any http address"
	case ls == "data:":
		return "data: URLs"
	case ls == "blob:":
		return "blob: URLs made by the page"
	case ls == "*":
		return "anywhere except data:, blob: and filesystem: URLs"
	}
	return s
}

func nosniff(v string) []string {
	if strings.EqualFold(v, "nosniff") {
		return []string{"nosniff: the browser trusts Content-Type and never guesses the format from the bytes; a script or stylesheet sent with the wrong type is refused (Fetch standard)"}
	}
	return []string{v + ": only nosniff has a meaning here"}
}

func frameOptions(v string) []string {
	switch strings.ToUpper(v) {
	case "DENY":
		return []string{"DENY: no page may show this one in a frame, not even a page of the same site (RFC 7034 §2.1)"}
	case "SAMEORIGIN":
		return []string{"SAMEORIGIN: only pages of the same origin may show this one in a frame (RFC 7034 §2.1)"}
	}
	if strings.HasPrefix(strings.ToUpper(v), "ALLOW-FROM") {
		return []string{v + ": modern browsers ignore ALLOW-FROM; CSP frame-ancestors does this job"}
	}
	return []string{v + ": not a value browsers know, so the header is ignored"}
}

var referrerPolicies = map[string]string{
	"no-referrer":                     "never send a Referer",
	"no-referrer-when-downgrade":      "send the full address, except from an https page to an http address",
	"origin":                          "send only the origin (for example https://shop.test/), never the path or query",
	"origin-when-cross-origin":        "send the full address within the same origin, only the origin to other sites",
	"same-origin":                     "send the full address within the same origin, nothing to other sites",
	"strict-origin":                   "send only the origin, and nothing from https to http",
	"strict-origin-when-cross-origin": "send the full address within the same origin, only the origin to other sites, and nothing from https to http; this is what browsers do by default",
	"unsafe-url":                      "always send the full address, even to http sites, which can leak private paths and query strings",
}

func referrerPolicy(v string) []string {
	list := splitList(v)
	var out []string
	for _, p := range list {
		if d, ok := referrerPolicies[strings.ToLower(p)]; ok {
			out = append(out, p+": "+d)
		} else {
			out = append(out, p+": not a policy the browser knows, so it is skipped")
		}
	}
	if len(list) > 1 {
		out = append(out, "several policies: the browser applies the last one it understands, so sites can list a fallback first (W3C Referrer Policy)")
	}
	return out
}

// permissionsPolicy reads a structured-field dictionary such as
// camera=(), geolocation=(self "https://maps.test").
func permissionsPolicy(v string) []string {
	var out []string
	for _, e := range splitList(v) {
		feature, allow, _ := strings.Cut(e, "=")
		allow = strings.TrimSpace(allow)
		switch {
		case allow == "()":
			out = append(out, e+": "+feature+" is switched off for this page and every frame in it")
		case allow == "*":
			out = append(out, e+": "+feature+" is allowed for this page and any frame in it")
		default:
			var who []string
			for _, o := range strings.Fields(strings.Trim(allow, "()")) {
				if o == "self" {
					who = append(who, "this page's own origin")
				} else {
					who = append(who, unquote(o))
				}
			}
			out = append(out, e+": "+feature+" is allowed only for "+joinAnd(who))
		}
	}
	return out
}

func coop(v string) []string {
	val := strings.TrimSpace(strings.Split(v, ";")[0])
	switch strings.ToLower(val) {
	case "same-origin":
		return []string{val + ": windows from other origins that this page opens, or that opened it, lose their handle on it; the page gets a browsing context group of its own"}
	case "same-origin-allow-popups":
		return []string{val + ": like same-origin, but pop-ups this page opens keep their link to it (useful for login or payment pop-ups)"}
	case "noopener-allow-popups":
		return []string{val + ": this page is always opened without a link to its opener, even from the same origin"}
	case "unsafe-none":
		return []string{val + ": the default: no isolation from other windows"}
	}
	return []string{val + ": not a value browsers know"}
}

func coep(v string) []string {
	val := strings.TrimSpace(strings.Split(v, ";")[0])
	switch strings.ToLower(val) {
	case "require-corp":
		return []string{val + ": the page may load cross-origin resources only if they allow it (CORS or Cross-Origin-Resource-Policy)"}
	case "credentialless":
		return []string{val + ": cross-origin resources without CORS are loaded without cookies, so nothing private can leak into this page"}
	case "unsafe-none":
		return []string{val + ": the default: no restriction"}
	}
	return []string{val + ": not a value browsers know"}
}

func corp(v string) []string {
	switch strings.ToLower(v) {
	case "same-origin":
		return []string{v + ": only pages of the same origin may load this resource"}
	case "same-site":
		return []string{v + ": only pages of the same site (the same registrable domain) may load this resource"}
	case "cross-origin":
		return []string{v + ": any site may load this resource"}
	}
	return []string{v + ": not a value browsers know"}
}

func clearSiteData(v string) []string {
	var out []string
	for _, t := range splitList(v) {
		switch strings.ToLower(unquote(t)) {
		case "cache":
			out = append(out, t+": the browser deletes what it cached for this site")
		case "cookies":
			out = append(out, t+": the browser deletes this site's cookies, which logs the user out")
		case "storage":
			out = append(out, t+": the browser deletes the site's local storage, IndexedDB and service workers")
		case "executioncontexts":
			out = append(out, t+": the browser reloads the site's open pages")
		case "*":
			out = append(out, t+": the browser deletes everything it stored for this site")
		default:
			out = append(out, t+": not a type browsers know")
		}
	}
	return out
}

// CORS response headers (Fetch standard, CORS protocol).

func acao(v string) []string {
	switch v {
	case "*":
		return []string{"*: scripts from any site may read this response, as long as the request carried no cookies or other credentials"}
	case "null":
		return []string{"null: allowed for pages without a real origin (sandboxed frames, local files), which any site can produce, so this is risky"}
	}
	return []string{v + ": only scripts on pages from " + v + " may read this response; other sites' scripts get a CORS error"}
}

func acac(v string) []string {
	if v == "true" {
		return []string{"true: the script may read the response even though the request carried cookies or other credentials"}
	}
	return []string{v + ": only the value true has a meaning; anything else counts as absent"}
}

// corsList explains a list-valued CORS header, with all for "*".
func corsList(v, list, all string) []string {
	if v == "*" {
		return []string{"*: " + all}
	}
	return []string{strings.Replace(list, "%s", strings.Join(splitList(v), ", "), 1)}
}

func acMaxAge(v string) []string {
	n, ok := seconds(v)
	if !ok {
		return []string{v + ": not a number of seconds, so the browser ignores it"}
	}
	if n == 0 {
		return []string{"0: the browser must not remember this preflight answer"}
	}
	return []string{v + ": the browser may remember this preflight answer for " + humanSeconds(n) + " (browsers cap it, Chromium at 2 hours)"}
}

// Fetch metadata (W3C Fetch Metadata Request Headers).

func secFetchSite(v string) []string {
	switch strings.ToLower(v) {
	case "same-origin":
		return []string{v + ": the request comes from a page of the very same origin (scheme, host and port)"}
	case "same-site":
		return []string{v + ": the request comes from another origin of the same site, such as a sibling subdomain"}
	case "cross-site":
		return []string{v + ": the request comes from a page of another site"}
	case "none":
		return []string{v + ": no page started it: the user typed the address, used a bookmark or opened a new tab"}
	}
	return []string{v + ": not a value browsers send"}
}

func secFetchMode(v string) []string {
	switch strings.ToLower(v) {
	case "navigate":
		return []string{v + ": the browser is loading a page into a tab or frame"}
	case "cors":
		return []string{v + ": a script asked with CORS rules: if it goes to another origin, the server must allow it"}
	case "no-cors":
		return []string{v + ": an embedded resource (image, script, stylesheet) that the page may use but not read"}
	case "same-origin":
		return []string{v + ": a request that must stay within the page's own origin"}
	case "websocket":
		return []string{v + ": the opening request of a WebSocket"}
	}
	return []string{v + ": not a value browsers send"}
}

var fetchDests = map[string]string{
	"document":      "a page in a tab",
	"iframe":        "a page inside an iframe",
	"frame":         "a page inside a frame",
	"script":        "a script",
	"style":         "a stylesheet",
	"image":         "an image",
	"font":          "a font",
	"audio":         "audio",
	"video":         "a video",
	"track":         "subtitles for a video",
	"manifest":      "the web app manifest",
	"worker":        "a web worker's script",
	"sharedworker":  "a shared worker's script",
	"serviceworker": "a service worker's script",
	"empty":         "data for a script (fetch or XMLHttpRequest), or a beacon",
	"object":        "an object element's content",
	"embed":         "an embed element's content",
	"report":        "a report the browser sends",
	"xslt":          "an XSLT stylesheet",
	"audioworklet":  "an audio worklet's script",
	"paintworklet":  "a paint worklet's script",
	"webidentity":   "a federated login request (FedCM)",
}

func secFetchDest(v string) []string {
	if d, ok := fetchDests[strings.ToLower(v)]; ok {
		return []string{v + ": the response will be used as " + d}
	}
	return []string{v + ": not a value browsers send"}
}

func secFetchUser(v string) []string {
	if v == "?1" {
		return []string{"?1: the user started this navigation (a click, a typed address), not a script"}
	}
	return []string{v + ": only ?1 is sent; without it a script or the page started the navigation"}
}
