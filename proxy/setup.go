package proxy

import (
	"bytes"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/glassbox-dev/glassbox/certs"
)

// SetupHost is the reserved name only glassbox answers. ".invalid" can never
// resolve anywhere (RFC 6761 §6.4), so an image loaded from
// https://glassbox.invalid/ proves two things at once: the browser sends its
// traffic through glassbox, and it trusts glassbox's CA.
const SetupHost = "glassbox.invalid"

func isSetupHost(host string) bool {
	return strings.EqualFold(strings.TrimSuffix(host, "."), SetupHost)
}

func isLoopbackHost(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

type setupHandler struct {
	ca    *certs.CA
	mux   *http.ServeMux
	check []byte
}

func newSetupHandler(ca *certs.CA, _ *certs.LeafCache) http.Handler {
	h := &setupHandler{ca: ca, mux: http.NewServeMux(), check: checkImage()}
	h.mux.HandleFunc("GET /{$}", h.page)
	h.mux.HandleFunc("GET /ca.pem", h.pem)
	h.mux.HandleFunc("GET /ca.crt", h.der)
	h.mux.HandleFunc("GET /check.png", h.image)
	return h
}

func (h *setupHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, r)
}

func (h *setupHandler) pem(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Content-Disposition", `attachment; filename="glassbox-ca.pem"`)
	w.Write(h.ca.PEM())
}

// der serves the certificate in DER with the MIME type browsers and
// operating systems offer to install (RFC 5280 §4; application/x-x509-ca-cert).
func (h *setupHandler) der(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-x509-ca-cert")
	w.Header().Set("Content-Disposition", `attachment; filename="glassbox-ca.crt"`)
	w.Write(h.ca.DER())
}

func (h *setupHandler) image(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	// Let the setup page (another origin: 127.0.0.1:8080) read the result.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(h.check)
}

func checkImage() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.NRGBA{G: 160, A: 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

func (h *setupHandler) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = setupPage.Execute(w, map[string]any{
		"Fingerprint": h.ca.Fingerprint(),
		"SPKI":        h.ca.SPKIHash(),
		"Subject":     h.ca.Cert.Subject.CommonName,
		"Guide":       certs.InstallGuide(h.ca.CertPath),
		"Host":        SetupHost,
		"Proxy":       r.Host,
	})
}

// serveLocal answers a request with a local handler, as a Response goproxy
// can send back (used for glassbox.invalid and requests to ourselves).
func serveLocal(h http.Handler, r *http.Request) *http.Response {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	resp.ContentLength = int64(rec.Body.Len())
	return resp
}

var setupPage = template.Must(template.New("setup").Funcs(template.FuncMap{
	"isCommand":   func(s string) bool { return strings.HasPrefix(s, certs.CommandPrefix) },
	"trimCommand": func(s string) string { return strings.TrimPrefix(s, certs.CommandPrefix) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>glassbox setup</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#222;overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;max-width:100%;background:#f3f3f3;padding:.5rem .7rem;border-radius:4px}
pre code{padding:0;background:none}
h1{margin-bottom:0} .sub{color:#666;margin-top:.2rem}
.check{display:flex;gap:.6rem;align-items:center;margin:.4rem 0}
.dot{width:.9rem;height:.9rem;border-radius:50%;background:#bbb;flex:none}
.ok .dot{background:#2a2} .bad .dot{background:#c33}
a.button{display:inline-block;padding:.4rem .9rem;margin:.2rem .4rem .2rem 0;border:1px solid #357;border-radius:4px;text-decoration:none;color:#135}
code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px;word-break:break-all}
section{border-top:1px solid #ddd;margin-top:1.4rem}
li{margin:.3rem 0}
</style></head><body>
<h1>glassbox</h1>
<p class="sub">See what really happens when your browser loads a page.</p>

<h2>1. Is this browser ready?</h2>
<div id="proxy" class="check"><span class="dot"></span><span>Checking whether this browser sends its traffic through glassbox&hellip;</span></div>
<div id="trust" class="check"><span class="dot"></span><span>Checking whether this browser trusts glassbox's certificate authority&hellip;</span></div>
<p id="advice"></p>

<h2>2. Download the certificate authority</h2>
<p><a class="button" href="/ca.pem">glassbox-ca.pem</a><a class="button" href="/ca.crt">glassbox-ca.crt (DER)</a></p>
<p>Certificate: <code>{{.Subject}}</code><br>SHA-256 fingerprint: <code>{{.Fingerprint}}</code><br>
Compare the fingerprint with what <code>glassbox ca</code> prints in your terminal before you trust it.
For Chromium started by hand: <code>--ignore-certificate-errors-spki-list={{.SPKI}}</code>.
This authority was made on your machine for your install only; its private key never leaves it.</p>

<h2>3. Trust it and point the browser at glassbox</h2>
<p>Set the browser's HTTP and HTTPS proxy to <code>{{.Proxy}}</code>, then follow the steps for your system.</p>
{{range .Guide}}<section><h3>{{.Title}}</h3><ol>{{range .Steps}}{{if isCommand .}}<pre><code>{{trimCommand .}}</code></pre>{{else}}<li>{{.}}</li>{{end}}{{end}}</ol></section>
{{end}}
<script>
function probe(url, id, okText, badText, done) {
  var el = document.getElementById(id), img = new Image(), settled = false;
  function set(ok) {
    if (settled) return; settled = true;
    el.className = 'check ' + (ok ? 'ok' : 'bad');
    el.lastChild.textContent = ok ? okText : badText;
    done(ok);
  }
  img.onload = function () { set(true); };
  img.onerror = function () { set(false); };
  setTimeout(function () { set(false); }, 8000);
  img.src = url + '?t=' + Date.now();
}
var results = {};
function advise() {
  if (!('proxy' in results) || !('trust' in results)) return;
  var a = document.getElementById('advice');
  if (!results.proxy) a.textContent = 'Set this browser\'s proxy to {{.Proxy}} (step 3), then reload this page.';
  else if (!results.trust) a.textContent = 'The proxy works. Now import the certificate authority (steps 2 and 3), restart the browser if it asks, and reload.';
  else a.textContent = 'All set: browse normally, and watch the flows arrive in glassbox.';
}
probe('http://{{.Host}}/check.png', 'proxy', 'This browser uses glassbox as its proxy.',
  'This browser does not send its traffic through glassbox.', function (ok) { results.proxy = ok; advise(); });
probe('https://{{.Host}}/check.png', 'trust', 'This browser trusts glassbox\'s certificate authority: HTTPS pages can be inspected.',
  'HTTPS through glassbox is not trusted yet (or the proxy is not in use).', function (ok) { results.trust = ok; advise(); });
</script>
</body></html>
`))
