package export

import (
	"bufio"
	"fmt"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/diagnose"
)

// The diagnosis leads each page of the reports: why the page load took
// its time (store/diagnose), before the waterfall and the story.

// diagnosisIntro says how to read the critical path and the phase sums.
const (
	pathIntro = "Each request below could start only once the one before it had ended, from the navigation to the " +
		"last request the load waited on; the percentage is its share of the load, counting the browser's work before it."
	phaseIntro = "Each phase summed over every request of the page; requests overlap, so the sum may exceed the load."
)

// diagnosisView is a diagnosis ready for the templates.
type diagnosisView struct {
	Headline string
	Path     []pathView
	Phases   []phaseView
	Trips    string
	Findings []diagnose.Finding
}

type pathView struct {
	Line, URL, Because string
}

type phaseView struct {
	Label, Title, Color, Total string
	Requests                   int
}

func viewDiagnosis(d diagnose.Diagnosis) *diagnosisView {
	if len(d.CriticalPath) == 0 {
		return nil
	}
	v := &diagnosisView{Headline: d.Headline(), Trips: d.RoundTrips.String(), Findings: d.Findings}
	for _, s := range d.CriticalPath {
		v.Path = append(v.Path, pathView{Line: s.Line(), URL: shorten(s.URL, 90), Because: s.Because()})
	}
	for _, p := range d.ByPhase {
		if p.Total <= 0 {
			continue
		}
		info, _ := store.Phase(p.Phase)
		v.Phases = append(v.Phases, phaseView{Label: info.Label, Title: info.Title, Color: info.Color,
			Total: explain.FormatDuration(p.Total), Requests: p.Flows})
	}
	return v
}

// writeDiagnosisMarkdown writes a page's diagnosis as Markdown.
func writeDiagnosisMarkdown(w *bufio.Writer, v *diagnosisView) {
	if v == nil {
		return
	}
	fmt.Fprintf(w, "### Why this page took its time\n\n%s\n\n", mdEscape(v.Headline))
	for _, f := range v.Findings {
		fmt.Fprintf(w, "- **%s** (`%s`, flows %s)\n", mdEscape(f.Title), f.Kind, f.FlowsText())
		fmt.Fprintf(w, "  - Numbers: %s\n", mdEscape(f.NumbersText()))
		fmt.Fprintf(w, "  - Evidence: %s\n", mdEscape(f.Evidence))
		fmt.Fprintf(w, "  - Fix: %s\n", mdEscape(f.Fix))
	}
	if len(v.Findings) > 0 {
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "**Critical path.** %s\n\n", pathIntro)
	for i, p := range v.Path {
		fmt.Fprintf(w, "%d. %s — %s (%s)\n", i+1, mdEscape(p.Line), mdEscape(p.URL), mdEscape(p.Because))
	}
	fmt.Fprintf(w, "\n**Where the time went.** %s\n\n| phase | time | requests |\n|---|---|---|\n", phaseIntro)
	for _, p := range v.Phases {
		fmt.Fprintf(w, "| %s | %s | %d |\n", mdEscape(p.Title), p.Total, p.Requests)
	}
	fmt.Fprintf(w, "\n**Network round trips paid for:** %s.\n\n", v.Trips)
}

// htmlDiagnosis is the HTML template of a page's diagnosis (it joins
// htmlPage's templates).
const htmlDiagnosis = `{{define "diagnosis"}}<h3>Why this page took its time</h3>
<p>{{.Headline}}</p>
{{if .Findings}}<ul class="findings">{{range .Findings}}<li><strong>{{.Title}}</strong> <code>{{.Kind}}</code> · flows {{.FlowsText}}
<ul><li>Numbers: {{.NumbersText}}</li><li>Evidence: {{.Evidence}}</li><li>Fix: {{.Fix}}</li></ul></li>{{end}}</ul>{{end}}
<p><strong>Critical path.</strong> ` + pathIntro + `</p>
<ol class="path">{{range .Path}}<li>{{.Line}} — <span class="url">{{.URL}}</span> <span class="meta">({{.Because}})</span></li>{{end}}</ol>
<p><strong>Where the time went.</strong> ` + phaseIntro + `</p>
<table><tr><th>phase</th><th>time</th><th>requests</th></tr>
{{range .Phases}}<tr><td><span class="swatch" style="--c:{{.Color}}"></span>{{.Title}}</td><td>{{.Total}}</td><td>{{.Requests}}</td></tr>
{{end}}</table>
<p><strong>Network round trips paid for:</strong> {{.Trips}}.</p>{{end}}`
