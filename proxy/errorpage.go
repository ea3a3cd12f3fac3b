package proxy

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// ErrorHeader names the response header carrying "phase/kind" on every
// response glassbox made up because the origin could not be reached.
const ErrorHeader = "X-Glassbox-Error"

// errorStatus is the status of a page glassbox makes up for a failed
// request: 403 when glassbox itself refused the destination (RFC 9110
// §15.5.4), 504 when the origin was reached but never answered in time
// (§15.6.5), 502 for everything else (§15.6.3).
func errorStatus(e *store.FlowError) int {
	switch {
	case e.Phase == store.PhaseProxy:
		return http.StatusForbidden
	case e.Phase == store.PhaseWait && e.Kind == store.FailTimeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusBadGateway
}

// defaultErrorPage is the page of a Proxy whose Config.ErrorPage is nil:
// plain text that states what the proxy knows (the phase, the kind, the
// error and the flow that records it) and explains nothing.
func defaultErrorPage(f *store.Flow, status int, _ bool) ([]byte, string) {
	e := f.Error
	body := fmt.Sprintf("glassbox: %d %s\n\nFetching %s failed: %s/%s\n%s\n\nFlow #%d records this error.\n",
		status, http.StatusText(status), f.URL, e.Phase, e.Kind, e.Message, f.ID)
	return []byte(body), "text/plain; charset=utf-8"
}

// errorPage calls Config.ErrorPage, or the default.
func (p *Proxy) errorPage(f *store.Flow, status int, html bool) ([]byte, string) {
	if p.cfg.ErrorPage != nil {
		return p.cfg.ErrorPage(f, status, html)
	}
	return defaultErrorPage(f, status, html)
}

// errorResponse builds the response a browser gets when a request failed:
// the status of errorStatus, ErrorHeader, and the body of Config.ErrorPage,
// in HTML when the browser asked for it.
func (p *Proxy) errorResponse(req *http.Request, f *store.Flow) *http.Response {
	status := errorStatus(f.Error)
	body, ctype := p.errorPage(f, status, strings.Contains(req.Header.Get("Accept"), "text/html"))
	h := http.Header{}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	h.Set(ErrorHeader, f.Error.Phase+"/"+f.Error.Kind)
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}
