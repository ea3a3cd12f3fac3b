package proxy

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

// ErrorHeader names the response header carrying "phase/kind" on every
// response glassbox made up because the origin could not be reached.
const ErrorHeader = "X-Glassbox-Error"

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>glassbox: {{.Problem.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem;margin-bottom:.2rem} .step{color:#a33;font-weight:600}
code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px;word-break:break-all}
dt{font-weight:600;margin-top:1rem} footer{margin-top:2rem;color:#777;font-size:.9rem}
</style></head><body>
<p class="step">Failed while {{.Step}}</p>
<h1>{{.Problem.Title}}</h1>
<p>glassbox tried to fetch <code>{{.URL}}</code> for your browser and could not.</p>
<dl>
<dt>What happened</dt><dd>{{.Problem.What}}</dd>
<dt>Why this usually happens</dt><dd>{{.Problem.Why}}</dd>
<dt>What you can do</dt><dd>{{.Problem.Fix}}</dd>
<dt>The exact error</dt><dd><code>{{.Message}}</code></dd>
</dl>
<footer>Flow #{{.FlowID}} is recorded with this error. {{if .Problem.Ref}}See {{.Problem.Ref}}.{{end}}
This page was written by glassbox (status {{.Status}}), not by the site.</footer>
</body></html>
`))

// errorResponse builds the page a browser sees when a request failed.
// Status 504 when the origin was reached but never answered (RFC 9110
// §15.6.5), 502 for everything else (§15.6.3).
func (p *Proxy) errorResponse(req *http.Request, f *store.Flow) *http.Response {
	e := f.Error
	prob := explain.Error(e)
	status := http.StatusBadGateway
	if e.Phase == store.PhaseWait && e.Kind == "timeout" {
		status = http.StatusGatewayTimeout
	}
	var body bytes.Buffer
	ctype := "text/plain; charset=utf-8"
	if strings.Contains(req.Header.Get("Accept"), "text/html") {
		ctype = "text/html; charset=utf-8"
		_ = errorPage.Execute(&body, map[string]any{
			"Problem": prob, "Step": explain.Phase(e.Phase), "URL": f.URL,
			"Message": e.Message, "FlowID": f.ID, "Status": status,
		})
	} else {
		fmt.Fprintf(&body, "glassbox: %s\n\nFailed while %s, fetching %s\n\nWhat happened: %s\nWhy: %s\nWhat to do: %s\nError: %s\n",
			prob.Title, explain.Phase(e.Phase), f.URL, prob.What, prob.Why, prob.Fix, e.Message)
	}
	h := http.Header{}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(body.Len()))
	h.Set("Cache-Control", "no-store")
	h.Set(ErrorHeader, e.Phase+"/"+e.Kind)
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(&body),
		ContentLength: int64(body.Len()),
		Request:       req,
	}
}
