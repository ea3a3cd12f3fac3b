package proxy

import (
	"io"
	"net/http"
	"strings"
)

// The commonest request's way through the proxy. An ordinary proxied
// request (not a CONNECT, not an Upgrade, an absolute URL), plain or from
// inside an intercepted CONNECT, is served by forward as goproxy's
// handleHttp serves a request, step for step (the proxy's own answers,
// the proxy's fields out, the round trip, the head copied, the body
// streamed, trailers last; the fields goproxy's RemoveProxyHeaders takes
// out, openFlow took out already), without what glassbox has no use for there:
// a ProxyCtx and its handler chains, and the arguments of goproxy's debug
// log, which it builds for every request (the URL written out twice)
// whether the log is on or not. CONNECTs, Upgrades (WebSockets: goproxy
// relays them) and requests for the proxy itself (its setup page) still
// go to goproxy.

// ServeHTTP implements http.Handler.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect || !r.URL.IsAbs() || len(r.Header["Upgrade"]) > 0 {
		p.gp.ServeHTTP(w, r)
		return
	}
	p.forward(w, r)
}

// forward serves an ordinary request, for goproxy's handleHttp.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request) {
	resp := p.local(r)
	if resp == nil {
		st := p.openFlow(r) // which takes the proxy's and the connection's fields out
		r.RequestURI = ""   // the target as the browser wrote it: a client request must not carry it
		resp = st.exchange(r)
	}
	defer resp.Body.Close()
	h := w.Header()
	for k, vs := range resp.Header {
		h[k] = vs // nothing changes resp.Header from here
	}
	announced := len(resp.Trailer)
	if announced > 0 {
		// Announced before the head, net/http's server sends them (it
		// frames the body chunked, RFC 9112 §7.1.2).
		names := make([]string, 0, announced)
		for k := range resp.Trailer {
			names = append(names, k)
		}
		h.Add("Trailer", strings.Join(names, ", "))
	}
	w.WriteHeader(resp.StatusCode)
	var out io.Writer = w
	if strings.HasPrefix(h.Get("Content-Type"), "text/event-stream") || strings.Contains(h.Get("Transfer-Encoding"), "chunked") {
		out = flushWriter{w} // a stream: each piece as it comes (flushPlainStreams)
	}
	io.Copy(out, resp.Body)
	resp.Body.Close()
	forwardTrailers(w, resp, announced)
}

// forwardTrailers passes on the trailers that came after the body
// (goproxy's way): under their names when every one was announced, else
// under http.TrailerPrefix, which net/http's server sends unannounced;
// the flush makes it frame the body chunked even when it was short.
func forwardTrailers(w http.ResponseWriter, resp *http.Response, announced int) {
	if len(resp.Trailer) == 0 {
		return
	}
	_ = http.NewResponseController(w).Flush()
	h := w.Header()
	for k, vs := range resp.Trailer {
		if len(resp.Trailer) != announced {
			k = http.TrailerPrefix + k
		}
		h[k] = append(h[k], vs...)
	}
}

// flushWriter sends each write on at once.
type flushWriter struct{ w http.ResponseWriter }

func (f flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if fl, ok := f.w.(http.Flusher); ok {
		fl.Flush()
	}
	return n, err
}
