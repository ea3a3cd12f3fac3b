package explain

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/glassbox-dev/glassbox/store"
)

var errorPageHTML = template.Must(template.New("error").Parse(`<!doctype html>
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

// ErrorPage is the page a browser sees when glassbox could not fetch what
// it asked for: the step that failed, what happened, why it usually
// happens, what to do, the exact error and the flow that records it. f
// must carry an Error; status is the one glassbox answers with. html
// chooses an HTML page over plain text. It has the shape of the proxy's
// Config.ErrorPage hook, which cmd/glassbox sets to it.
func ErrorPage(f *store.Flow, status int, html bool) (body []byte, contentType string) {
	e := f.Error
	prob := Error(e)
	var b bytes.Buffer
	if html {
		_ = errorPageHTML.Execute(&b, map[string]any{
			"Problem": prob, "Step": Phase(e.Phase), "URL": f.URL,
			"Message": e.Message, "FlowID": f.ID, "Status": status,
		})
		return b.Bytes(), "text/html; charset=utf-8"
	}
	fmt.Fprintf(&b, "glassbox: %s\n\nFailed while %s, fetching %s\n\nWhat happened: %s\nWhy: %s\nWhat to do: %s\nError: %s\n\nFlow #%d is recorded with this error.\n",
		prob.Title, Phase(e.Phase), f.URL, prob.What, prob.Why, prob.Fix, e.Message, f.ID)
	return b.Bytes(), "text/plain; charset=utf-8"
}
