package main_test

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// The fixture site's answers beyond plain files: the response headers a
// scenario needs, the dynamic endpoints (redirects, a form's 303, CORS
// APIs), and the generic images and fonts that let every scenario use URLs
// of its own (so the browser's cache of one scenario never answers
// another's request).

// fixtureHeaders are the response headers some files need beyond the
// defaults (Cache-Control: no-cache, revalidated on every use), keyed by
// "host/path". Each says which scenario needs it.
var fixtureHeaders = map[string][][2]string{
	// cached-stylesheet: the stylesheet is fresh for an hour, so the second
	// page takes it from the browser's cache and glassbox never sees it
	// there (RFC 9111 §4.2); the font is never stored (no-store), so the
	// second page asks for it again, with the stylesheet's URL as Referer.
	"cdn.test/cache/fonts.css":    {{"Cache-Control", "max-age=3600"}},
	"cdn.test/fonts/cached.woff2": {{"Cache-Control", "no-store"}},
	// attachment: a link answered as a download (RFC 6266 §4.2): the
	// browser stays on the page that has the link.
	"shop.test/dl/report.csv": {{"Content-Disposition", `attachment; filename="report.csv"`}},
	// service-worker: the worker's script must be JavaScript, and is
	// checked for updates on every registration.
	"shop.test/sw/sw.js": {{"Cache-Control", "no-cache"}, {"Service-Worker-Allowed", "/sw/"}},
	// prefetch-preload: a prefetched page and the resources preloaded for
	// the page after it stay usable for a few minutes (the prefetch cache).
	"shop.test/hints/next.html": {{"Cache-Control", "max-age=300"}},
}

// fixtureTypes are the Content-Types by file extension.
var fixtureTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
	".png": "image/png", ".woff2": "font/woff2", ".json": "application/json",
	".csv": "text/csv", ".bin": "application/octet-stream", ".txt": "text/plain; charset=utf-8",
}

// fixtureFile reads testdata/site/<host>/<name>, or else
// testdata/site/_shared/<name>; any /px/*.png is the site's one image and
// any /fonts/*.woff2 its one font, under a URL of the scenario's choosing.
func fixtureFile(root, host, name string) ([]byte, error) {
	rel := filepath.FromSlash(strings.TrimPrefix(name, "/"))
	raw, err := os.ReadFile(filepath.Join(root, host, rel))
	if err != nil {
		raw, err = os.ReadFile(filepath.Join(root, "_shared", rel))
	}
	if err == nil {
		return raw, nil
	}
	switch dir, ext := path.Base(path.Dir(name)), path.Ext(name); {
	case dir == "px" && ext == ".png":
		return os.ReadFile(filepath.Join(root, "img.test", "logo.png"))
	case dir == "fonts" && ext == ".woff2":
		return os.ReadFile(filepath.Join(root, "cdn.test", "font.woff2"))
	}
	return nil, err
}

// route answers the dynamic endpoints; ok is false for everything else.
func (s *site) route(w http.ResponseWriter, r *http.Request, host string) (status int, ok bool) {
	redirect := func(code int, to string) (int, bool) {
		http.Redirect(w, r, to, code)
		return code, true
	}
	switch host + r.URL.Path {
	case "api.test/cart", "api.test/types/put":
		// CORS (Fetch standard §3.2): a PUT with a custom header needs a preflight.
		if r.Method == http.MethodOptions {
			allowCORS(w, r)
			w.Header().Set("Access-Control-Allow-Methods", "PUT")
			w.Header().Set("Access-Control-Allow-Headers", "content-type, x-token")
			w.WriteHeader(http.StatusNoContent)
			return http.StatusNoContent, true
		}
		return s.json(w, r, `{"ok":true,"items":1}`), true
	case "shop.test/form/submit":
		// form-post-303: POST, then See Other (RFC 9110 §15.4.4): the
		// browser GETs the result page, in the same page load.
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return http.StatusMethodNotAllowed, true
		}
		return redirect(http.StatusSeeOther, "/form/result.html")
	case "shop.test/redirect/start":
		// redirects: a cross-origin chain of three kinds of redirect.
		return redirect(http.StatusFound, s.url("https", "cdn.test", "/redirect/hop"))
	case "cdn.test/redirect/hop":
		return redirect(http.StatusTemporaryRedirect, s.url("https", "shop.test", "/redirect/landing.html"))
	case "shop.test/redirect/logo":
		// redirects: an image that redirects to another host.
		return redirect(http.StatusFound, s.url("https", "img.test", "/px/redirected.png"))
	case "shop.test/live/echo":
		// websocket-echo (wsecho_test.go).
		return serveEcho(w, r), true
	case "shop.test/live/events":
		return serveEvents(w), true
	case "shop.test/favicon.ico", "news.test/favicon.ico", "plain.test/favicon.ico":
		http.NotFound(w, r)
		return http.StatusNotFound, true
	}
	if host == "api.test" || host == "update.test" {
		// The APIs pages call (CORS), the endpoint a command-line tool asks
		// and the one the browser's own background traffic goes to.
		return s.json(w, r, `{"ok":true}`), true
	}
	return 0, false
}

// json answers a small JSON document, allowing the page that asked.
func (s *site) json(w http.ResponseWriter, r *http.Request, body string) int {
	allowCORS(w, r)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(body))
	return http.StatusOK
}

// allowCORS lets the page that asked read the answer (Fetch standard §3.2.3).
func allowCORS(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Set("Vary", "Origin")
		w.Header().Set("Access-Control-Max-Age", "600")
	}
}
