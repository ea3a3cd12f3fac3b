package explain_test

import (
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/explain"
)

func TestHeaderTable(t *testing.T) {
	all := explain.Headers()
	if len(all) < 60 {
		t.Errorf("Headers() has %d entries, want at least 60", len(all))
	}
	seen := map[string]bool{}
	for _, h := range all {
		key := strings.ToLower(h.Name)
		if seen[key] {
			t.Errorf("%s is listed twice", h.Name)
		}
		seen[key] = true
		if strings.TrimSpace(h.Purpose) == "" || strings.TrimSpace(h.Ref) == "" {
			t.Errorf("%s: empty Purpose or Ref", h.Name)
		}
		switch h.Direction {
		case "request", "response", "both":
		default:
			t.Errorf("%s: Direction %q", h.Name, h.Direction)
		}
		if strings.Contains(h.Ref, "7231") || strings.Contains(h.Ref, "7234") || strings.Contains(h.Ref, "7230") {
			t.Errorf("%s cites an obsolete RFC: %s", h.Name, h.Ref)
		}
	}
	// The fields the brief names must all be there.
	for _, name := range []string{
		"Host", "User-Agent", "Accept", "Accept-Language", "Accept-Encoding", "Cookie", "Referer", "Origin",
		"Authorization", "If-None-Match", "If-Modified-Since", "Range", "Cache-Control", "Pragma", "Connection",
		"Upgrade", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Sec-Fetch-User", "Sec-CH-UA",
		"Sec-CH-UA-Mobile", "Sec-CH-UA-Platform", "Upgrade-Insecure-Requests", "DNT", "Priority", "Content-Type",
		"Content-Length", "Content-Encoding", "Transfer-Encoding", "Set-Cookie", "Location", "ETag",
		"Last-Modified", "Expires", "Age", "Vary", "Date", "Server", "Strict-Transport-Security",
		"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
		"Permissions-Policy", "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
		"Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Expose-Headers",
		"Access-Control-Max-Age", "Access-Control-Request-Method", "Access-Control-Request-Headers", "Alt-Svc",
		"Link", "Retry-After", "WWW-Authenticate", "Content-Disposition", "Accept-Ranges", "Content-Range",
		"Cross-Origin-Opener-Policy", "Cross-Origin-Embedder-Policy", "Cross-Origin-Resource-Policy",
		"Timing-Allow-Origin", "Server-Timing", "Keep-Alive", "Via", "Forwarded", "X-Forwarded-For",
		"Report-To", "NEL", "Clear-Site-Data",
	} {
		if !seen[strings.ToLower(name)] {
			t.Errorf("%s is missing from the table", name)
		}
	}
}

func TestHeaderLookup(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		known bool
		want  string // in Purpose or Ref
	}{
		{"exact-case", "Content-Type", true, "RFC 9110 §8.3"},                   // as HTTP/1.1 servers usually write it
		{"lower-case-as-http2-sends-it", "content-type", true, "RFC 9110 §8.3"}, // HTTP/2 sends names in lower case
		{"shouting", "STRICT-TRANSPORT-SECURITY", true, "RFC 6797"},             // case never matters in field names
		{"custom-x-header", "X-Cache-Status", false, "RFC 6648"},                // unknown X-: the generic answer
		{"unknown-sec-header", "Sec-GPC", false, "browser sets itself"},         // Global Privacy Control, not in the table
		{"cdn-header", "CF-Ray", false, "CDN"},                                  // Cloudflare's request id
		{"unknown-plain", "Foo-Bar", false, "no explanation"},                   // a made-up field
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ok := explain.Header(tc.in)
			if ok != tc.known {
				t.Errorf("Header(%q) ok = %v, want %v", tc.in, ok, tc.known)
			}
			h := explain.DescribeHeader(tc.in)
			if h.Purpose == "" || h.Ref == "" {
				t.Errorf("DescribeHeader(%q) has an empty field: %+v", tc.in, h)
			}
			if !strings.Contains(h.Purpose+" "+h.Ref, tc.want) {
				t.Errorf("DescribeHeader(%q) = %+v, want it to mention %q", tc.in, h, tc.want)
			}
		})
	}
}

func TestHeaderValue(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		value  string
		req    bool
		want   []string // each must appear in one of the sentences
		absent string   // must appear in none (secrets); "" for no check
	}{
		// A CDN-friendly static file: one hour in any cache.
		{"cache-control-max-age", "Cache-Control", "public, max-age=3600", false,
			[]string{"max-age=3600: may be reused for 1 hour without asking the server", "public: any cache may store it"}, ""},
		// A personal page that must never be stored.
		{"cache-control-no-store-private", "Cache-Control", "no-store, private", false,
			[]string{"no-store: must not be stored by any cache", "private: only the browser may store it"}, ""},
		// A fingerprinted asset: a year, never revalidated.
		{"cache-control-immutable", "Cache-Control", "max-age=31536000, immutable", false,
			[]string{"365 days", "immutable: will never change while fresh"}, ""},
		// The HTML of a site that wants every visit checked.
		{"cache-control-no-cache-revalidate", "Cache-Control", "no-cache, must-revalidate", false,
			[]string{"must be checked with the server (revalidated) before every reuse", "must-revalidate: once stale"}, ""},
		// A CDN setup: browsers one minute, the CDN a day, serve stale for a minute.
		{"cache-control-shared-and-swr", "Cache-Control", "max-age=60, s-maxage=86400, stale-while-revalidate=60", false,
			[]string{"1 minute", "s-maxage=86400: shared caches (a CDN, a proxy) may reuse it for 1 day", "stale-while-revalidate=60: for 1 minute after it goes stale"}, ""},
		// The same word on a request: a reload.
		{"cache-control-request-reload", "Cache-Control", "max-age=0", true,
			[]string{"as on a reload"}, ""},
		// The same word on a request: a hard reload.
		{"cache-control-request-no-cache", "Cache-Control", "no-cache", true,
			[]string{"wants a fresh answer"}, ""},

		// A well-configured session cookie.
		{"set-cookie-session", "Set-Cookie", "session=abc123secret; Path=/; Secure; HttpOnly; SameSite=Lax", false,
			[]string{"cookie named session", "Secure: sent only over https", "HttpOnly: hidden from the page's JavaScript",
				"SameSite=Lax", "Path=/: sent with requests for every path", "a session cookie", "no Domain: sent only to the host"}, "abc123secret"},
		// A cookie shared with subdomains, kept an hour, strictly same-site.
		{"set-cookie-domain-max-age-strict", "Set-Cookie", "theme=dark; Domain=.shop.test; Max-Age=3600; SameSite=Strict", false,
			[]string{"sent to shop.test and every subdomain", "kept for 1 hour", "SameSite=Strict: sent only with requests made from this same site"}, ""},
		// Deleting a cookie.
		{"set-cookie-delete", "Set-Cookie", "old=; Max-Age=0", false,
			[]string{"deletes the cookie at once"}, ""},
		// A cookie with an Expires date and no SameSite.
		{"set-cookie-expires", "Set-Cookie", "lang=en; Expires=Wed, 21 Oct 2026 07:28:00 GMT", false,
			[]string{"kept until 2026-10-21 07:28 UTC", "no SameSite: Chrome and Edge treat it as SameSite=Lax"}, ""},
		// A third-party cookie missing Secure: rejected.
		{"set-cookie-samesite-none-insecure", "Set-Cookie", "track=1; SameSite=None", false,
			[]string{"SameSite=None: sent with cross-site requests too", "browsers reject this cookie"}, ""},
		// A correct __Host- cookie.
		{"set-cookie-host-prefix", "Set-Cookie", "__Host-id=1; Secure; Path=/", false,
			[]string{"__Host- prefix: the browser keeps it only because"}, ""},
		// A __Secure- cookie without Secure: rejected.
		{"set-cookie-secure-prefix-broken", "Set-Cookie", "__Secure-id=1; Path=/", false,
			[]string{"__Secure- prefix without Secure: the browser rejects this cookie"}, ""},
		// The request side: names only.
		{"cookie-request", "Cookie", "session=abc123secret; theme=dark", true,
			[]string{"sends 2 cookies back to the site: session, theme"}, "abc123secret"},
		// Credentials are named, never repeated.
		{"authorization-bearer", "Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.secret", true,
			[]string{"Bearer: a token"}, "eyJhbGci"},

		// The codings of Content-Encoding.
		{"content-encoding-gzip", "Content-Encoding", "gzip", false, []string{"gzip: compressed with gzip (RFC 1952)"}, ""},
		{"content-encoding-br", "Content-Encoding", "br", false, []string{"br: compressed with Brotli (RFC 7932)"}, ""},           // what most CDNs send to browsers
		{"content-encoding-zstd", "Content-Encoding", "zstd", false, []string{"zstd: compressed with Zstandard (RFC 8878)"}, ""},  // the newest coding browsers accept
		{"content-encoding-deflate", "Content-Encoding", "deflate", false, []string{"deflate: compressed with zlib/deflate"}, ""}, // the rare one
		// Chrome's Accept-Encoding.
		{"accept-encoding-chrome", "Accept-Encoding", "gzip, deflate, br, zstd", true,
			[]string{"gzip: the client can unpack gzip", "br: the client can unpack Brotli", "zstd: the client can unpack Zstandard"}, ""},

		// HSTS for a year, with subdomains and preload.
		{"hsts-full", "Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload", false,
			[]string{"for 365 days, this browser will use only https", "includeSubDomains: the rule covers every subdomain", "preload: the site asks to be built into browsers' HSTS preload list"}, ""},
		// Switching HSTS off.
		{"hsts-off", "Strict-Transport-Security", "max-age=0", false, []string{"forgets its https-only rule"}, ""},

		// CORS open to everyone.
		{"acao-star", "Access-Control-Allow-Origin", "*", false, []string{"scripts from any site may read this response, as long as the request carried no cookies"}, ""},
		// CORS for one origin.
		{"acao-origin", "Access-Control-Allow-Origin", "https://shop.test", false, []string{"only scripts on pages from https://shop.test may read this response"}, ""},
		{"acac-true", "Access-Control-Allow-Credentials", "true", false, []string{"even though the request carried cookies"}, ""},                    // cookies allowed on a cross-origin fetch
		{"acam-list", "Access-Control-Allow-Methods", "GET, PUT, DELETE", false, []string{"may use these methods: GET, PUT, DELETE"}, ""},            // a preflight answer for an API
		{"acah-list", "Access-Control-Allow-Headers", "content-type, x-token", false, []string{"may send these headers: content-type, x-token"}, ""}, // a preflight answer allowing JSON and a token header
		{"acma-ten-minutes", "Access-Control-Max-Age", "600", false, []string{"remember this preflight answer for 10 minutes"}, ""},                  // a preflight answer cached for a while
		// The preflight's question.
		{"acrm-put", "Access-Control-Request-Method", "PUT", true, []string{"wants to send a PUT request"}, ""},

		// Fetch metadata: each value of each field.
		{"sec-fetch-site-same-origin", "Sec-Fetch-Site", "same-origin", true, []string{"from a page of the very same origin"}, ""},
		{"sec-fetch-site-same-site", "Sec-Fetch-Site", "same-site", true, []string{"another origin of the same site"}, ""},       // www.shop.test calling api.shop.test
		{"sec-fetch-site-cross-site", "Sec-Fetch-Site", "cross-site", true, []string{"a page of another site"}, ""},              // an image embedded from another site
		{"sec-fetch-site-none", "Sec-Fetch-Site", "none", true, []string{"the user typed the address"}, ""},                      // an address typed in the address bar
		{"sec-fetch-mode-navigate", "Sec-Fetch-Mode", "navigate", true, []string{"loading a page"}, ""},                          // a page load
		{"sec-fetch-mode-cors", "Sec-Fetch-Mode", "cors", true, []string{"CORS rules"}, ""},                                      // a fetch() from a script
		{"sec-fetch-mode-no-cors", "Sec-Fetch-Mode", "no-cors", true, []string{"may use but not read"}, ""},                      // an <img> or <script> without crossorigin
		{"sec-fetch-mode-same-origin", "Sec-Fetch-Mode", "same-origin", true, []string{"stay within the page's own origin"}, ""}, // a fetch with mode "same-origin"
		{"sec-fetch-mode-websocket", "Sec-Fetch-Mode", "websocket", true, []string{"opening request of a WebSocket"}, ""},        // new WebSocket(...)
		{"sec-fetch-dest-document", "Sec-Fetch-Dest", "document", true, []string{"a page in a tab"}, ""},                         // the page itself
		{"sec-fetch-dest-style", "Sec-Fetch-Dest", "style", true, []string{"a stylesheet"}, ""},                                  // a <link rel=stylesheet>
		{"sec-fetch-dest-script", "Sec-Fetch-Dest", "script", true, []string{"a script"}, ""},                                    // a <script src>
		{"sec-fetch-dest-image", "Sec-Fetch-Dest", "image", true, []string{"an image"}, ""},                                      // an <img>
		{"sec-fetch-dest-font", "Sec-Fetch-Dest", "font", true, []string{"a font"}, ""},                                          // an @font-face file
		{"sec-fetch-dest-empty", "Sec-Fetch-Dest", "empty", true, []string{"data for a script"}, ""},                             // fetch() or XMLHttpRequest
		{"sec-fetch-dest-iframe", "Sec-Fetch-Dest", "iframe", true, []string{"inside an iframe"}, ""},                            // an <iframe src>
		{"sec-fetch-user", "Sec-Fetch-User", "?1", true, []string{"the user started this navigation"}, ""},                       // a click on a link

		// Content-Type with a charset, and a multipart upload.
		{"content-type-html-utf8", "Content-Type", "text/html; charset=utf-8", false,
			[]string{"text/html: an HTML document", "charset=utf-8: the text is encoded as UTF-8"}, ""},
		{"content-type-json", "Content-Type", "application/json", false, []string{"JSON data"}, ""}, // an API answer
		{"content-type-multipart", "Content-Type", "multipart/form-data; boundary=----x1", true, // a file upload form
			[]string{"the way files are uploaded", "boundary=----x1: the line that separates the parts"}, ""},
		{"content-type-structured-suffix", "Content-Type", "application/activity+json", false, []string{"JSON data in the activity format"}, ""}, // an unknown type with a +json suffix

		// Vary on compression and origin.
		{"vary", "Vary", "Accept-Encoding, Origin", false,
			[]string{"Accept-Encoding: caches keep one copy per compression", "Origin: caches keep one copy per requesting origin"}, ""},
		{"vary-star", "Vary", "*", false, []string{"no cache may reuse it"}, ""}, // a response no cache may reuse

		// Connection management.
		{"connection-keep-alive", "Connection", "keep-alive", true, []string{"keep the connection open for more requests"}, ""},
		{"connection-close", "Connection", "close", false, []string{"close the connection after this response"}, ""}, // a server ending the connection
		{"connection-upgrade", "Connection", "Upgrade", true, []string{"switch protocols"}, ""},                      // the start of a WebSocket handshake
		{"keep-alive-params", "Keep-Alive", "timeout=5, max=100", false, // an Apache default
			[]string{"timeout=5: an idle connection stays open for 5 seconds", "max=100: the connection may carry at most 100 more requests"}, ""},

		// Ranges: a video seek and its answer.
		{"range-first-kb", "Range", "bytes=0-1023", true, []string{"asks for bytes 0 to 1023 (1.0 KB)"}, ""},
		{"range-open-end", "Range", "bytes=500-", true, []string{"everything from byte 500 to the end"}, ""},                        // resuming a download
		{"range-suffix", "Range", "bytes=-500", true, []string{"asks for the last 500 B"}, ""},                                      // reading the end of a file (an MP4 index)
		{"content-range", "Content-Range", "bytes 0-1023/4096", false, []string{"bytes 0 to 1023 (1.0 KB) of 4.0 KB in all"}, ""},   // the answer to range-first-kb
		{"content-range-unsatisfied", "Content-Range", "bytes */4096", false, []string{"does not fit; the resource is 4.0 KB"}, ""}, // a 416 answer

		// Referrer-Policy: the default, the strictest, and a fallback list.
		{"referrer-policy-default", "Referrer-Policy", "strict-origin-when-cross-origin", false, []string{"what browsers do by default"}, ""},
		{"referrer-policy-no-referrer", "Referrer-Policy", "no-referrer", false, []string{"never send a Referer"}, ""},                                              // the strictest policy
		{"referrer-policy-fallback", "Referrer-Policy", "no-referrer, strict-origin-when-cross-origin", false, []string{"applies the last one it understands"}, ""}, // a list: the last known one wins

		{"nosniff", "X-Content-Type-Options", "nosniff", false, []string{"never guesses the format from the bytes"}, ""}, // the usual security header

		// Location: the four shapes a redirect target takes.
		{"location-absolute", "Location", "https://shop.test/", false, []string{"an absolute URL: the browser goes to it"}, ""},
		{"location-absolute-http", "Location", "http://shop.test/", false, []string{"will not be encrypted"}, ""},                     // a downgrade to http
		{"location-path", "Location", "/login?next=%2F", false, []string{"a path on the same host"}, ""},                              // a login redirect
		{"location-scheme-relative", "Location", "//cdn.shop.test/a", false, []string{"scheme-relative URL: host cdn.shop.test"}, ""}, // a redirect to a CDN host
		{"location-relative", "Location", "next.html", false, []string{"relative to the current address's folder"}, ""},               // relative to the current folder

		// A few more that learners meet on every page.
		{"alt-svc-h3", "Alt-Svc", `h3=":443"; ma=86400`, false, []string{"also available over HTTP/3 (QUIC, on UDP) at port 443 of the same host; the browser may remember this for 1 day"}, ""},
		{"priority", "Priority", "u=0, i", true, []string{"urgency 0", "incremental"}, ""},   // Chrome's priority for the main document
		{"retry-after", "Retry-After", "120", false, []string{"try again in 2 minutes"}, ""}, // a 503 or 429 asking to wait two minutes
		{"csp", "Content-Security-Policy", "default-src 'self'; img-src 'self' https:; frame-ancestors 'none'", false, // a strict Content-Security-Policy
			[]string{"anything without a rule of its own may come only from this page's own origin", "images may come only from this page's own origin and any https address", "the pages that may show this page in a frame: not allowed from anywhere"}, ""},
		{"sec-ch-ua", "Sec-CH-UA", `"Chromium";v="124", "Not-A.Brand";v="99"`, true, []string{"Chromium, major version 124", "GREASE"}, ""},                                 // Chromium's brand list with its GREASE brand
		{"user-agent-firefox", "User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", true, []string{"identifies as Firefox 125"}, ""},     // Firefox on Linux
		{"server-timing", "Server-Timing", `db;dur=53;desc="Database", cache;desc="hit"`, false, []string{"Database (db): took 53 ms on the server", "without a time"}, ""}, // a server reporting its database time
		{"content-disposition", "Content-Disposition", `attachment; filename="report.pdf"`, false, []string{"saves the body as a file", "filename=report.pdf"}, ""},         // a download
		{"age", "Age", "120", false, []string{"spent 2 minutes in a shared cache"}, ""},                                                                                     // a copy from a CDN
		{"etag-weak", "ETag", `W/"abc"`, false, []string{"a weak tag"}, ""},                                                                                                 // a weak validator
		{"transfer-encoding-chunked", "Transfer-Encoding", "chunked", false, []string{"the body comes in pieces"}, ""},                                                      // a streamed HTTP/1.1 body
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := explain.HeaderValue(tc.header, tc.value, tc.req)
			all := strings.Join(got, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("HeaderValue(%q, %q) =\n%s\nwant a sentence containing %q", tc.header, tc.value, all, w)
				}
			}
			if tc.absent != "" && strings.Contains(all, tc.absent) {
				t.Errorf("HeaderValue(%q) repeats a secret %q:\n%s", tc.header, tc.absent, all)
			}
			for _, s := range got {
				if strings.TrimSpace(s) == "" {
					t.Errorf("empty sentence in %q", got)
				}
			}
		})
	}
}

func TestHeaderValueUnreadable(t *testing.T) {
	for _, tc := range []struct{ name, header, value string }{
		{"unknown-header", "X-Custom", "anything"}, // nothing to read: nil, not a guess
		{"empty-value", "Cache-Control", "   "},    // a blank value says nothing
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := explain.HeaderValue(tc.header, tc.value, false); got != nil {
				t.Errorf("HeaderValue(%q, %q) = %q, want nil", tc.header, tc.value, got)
			}
		})
	}
}
