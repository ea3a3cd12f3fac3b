package export

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

// writeHTML writes the report as one self-contained HTML file: inline CSS
// and SVG, no scripts, nothing fetched from anywhere.
func writeHTML(ctx context.Context, r store.Reader, w io.Writer, j *job) error {
	s, err := loadReport(ctx, r, j)
	if err != nil {
		return err
	}
	type pageView struct {
		N         int
		Title     string
		Summary   string
		Waterfall template.HTML
		Steps     []stepView
	}
	data := struct {
		Intro        string
		Pages        []pageView
		Skipped      int
		Unattributed []store.Flow
		Footer       string
		Legend       []legendItem
	}{Intro: intro(s), Skipped: s.Skipped, Unattributed: s.Unattributed, Footer: footer(j.version()), Legend: legend()}
	for i := range s.Pages {
		pr := &s.Pages[i]
		pv := pageView{N: i + 1, Title: pr.title(), Summary: pageSummary(pr), Waterfall: svgWaterfall(pr)}
		for _, st := range pr.Steps {
			pv.Steps = append(pv.Steps, stepView{N: st.N, Title: st.Title, Blocks: blocks(st.Text)})
		}
		data.Pages = append(data.Pages, pv)
	}
	return htmlPage.Execute(w, data)
}

type legendItem struct{ Color, Title string }

func legend() []legendItem {
	out := make([]legendItem, 0, len(store.TimingPhases))
	for _, p := range store.TimingPhases {
		out = append(out, legendItem{p.Color, p.Title})
	}
	return out
}

// stepView is a story step as paragraphs and (nested) lists.
type stepView struct {
	N      int
	Title  string
	Blocks []block
}

type block struct {
	Text  string
	Items []item // a list when set
}

type item struct {
	Text string
	Sub  []string
}

// blocks turns the story's text convention ("- " items, "  - " sub-items)
// into paragraphs and lists.
func blocks(text string) []block {
	var out []block
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "  - "):
			if n := len(out); n > 0 && len(out[n-1].Items) > 0 {
				last := &out[n-1].Items[len(out[n-1].Items)-1]
				last.Sub = append(last.Sub, line[4:])
			} else {
				out = append(out, block{Items: []item{{Text: line[4:]}}})
			}
		case strings.HasPrefix(line, "- "):
			if n := len(out); n > 0 && len(out[n-1].Items) > 0 {
				out[n-1].Items = append(out[n-1].Items, item{Text: line[2:]})
			} else {
				out = append(out, block{Items: []item{{Text: line[2:]}}})
			}
		default:
			out = append(out, block{Text: line})
		}
	}
	return out
}

// svgWaterfall draws a page's flows on a shared time axis.
func svgWaterfall(pr *pageReport) template.HTML {
	bars, span := pr.bars()
	if len(bars) == 0 {
		return ""
	}
	const labelW, axisW, rowH, top = 330.0, 560.0, 18.0, 22.0
	height := top + rowH*float64(len(bars)) + 8
	x := func(d time.Duration) float64 {
		if span <= 0 {
			return labelW
		}
		return labelW + axisW*float64(d)/float64(span)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="waterfall" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="waterfall of %d requests" xmlns="http://www.w3.org/2000/svg">`,
		labelW+axisW+70, height, len(bars))
	// Axis: five ticks with their times.
	for i := 0; i <= 4; i++ {
		d := span * time.Duration(i) / 4
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" class="tick"/>`, x(d), top-6, x(d), height)
		fmt.Fprintf(&b, `<text x="%.1f" y="12" class="axis">%s</text>`, x(d), template.HTMLEscapeString(explain.FormatDuration(d)))
	}
	for i, br := range bars {
		y := top + rowH*float64(i)
		label := fmt.Sprintf("%s %s", statusText(br.Flow), shorten(br.Flow.URL, 52))
		cls := "label"
		if br.Flow.Error != nil || br.Flow.Status >= 400 {
			cls = "label bad"
		}
		fmt.Fprintf(&b, `<text x="4" y="%.1f" class="%s">%s</text>`, y+12, cls, template.HTMLEscapeString(label))
		at := br.Offset
		for _, p := range br.Phases {
			w := x(at+p.D) - x(at)
			fmt.Fprintf(&b, `<rect x="%.2f" y="%.1f" width="%.2f" height="%.0f" fill="%s"><title>%s: %s</title></rect>`,
				x(at), y+3, max(w, 0.8), rowH-6, phaseInfo(p.Name).Color, phaseInfo(p.Name).Title, explain.FormatDuration(p.D))
			at += p.D
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="dur">%s</text>`, x(at)+4, y+12, template.HTMLEscapeString(explain.FormatDuration(br.Total)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"status": func(f store.Flow) string { return statusText(&f) },
	"dur":    func(f store.Flow) string { return explain.FormatDuration(f.Duration()) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>glassbox report</title>
<style>
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;max-width:62rem;margin:2rem auto;padding:0 1.2rem}
h1{font-size:1.7rem;margin-bottom:.3rem} h2{margin-top:2.5rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem}
h3{font-size:1.05rem;color:#444;margin-top:1.5rem} .summary{color:#57606a;overflow-wrap:anywhere}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1rem;font-size:.85rem;color:#444;margin:.4rem 0}
.legend span::before{content:"";display:inline-block;width:.9rem;height:.6rem;margin-right:.3rem;background:var(--c);vertical-align:middle}
svg.waterfall{font:11px ui-monospace,SFMono-Regular,Menlo,monospace;border:1px solid #d0d7de;border-radius:6px;background:#fff}
svg .tick{stroke:#eaeef2} svg .axis{fill:#57606a} svg .label{fill:#24292f} svg .bad{fill:#cf222e} svg .dur{fill:#57606a}
ol.story>li{margin:.9rem 0} ol.story>li>strong{font-size:1.02rem} ol.story p{margin:.3rem 0}
ol.story ul{margin:.2rem 0 .2rem 1.2rem;padding:0} code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}
table{border-collapse:collapse;font-size:.9rem} td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left}
footer{margin-top:3rem;color:#57606a;font-size:.85rem}
@media print{h2{break-before:page} svg.waterfall{break-inside:avoid}}
</style></head><body>
<h1>What happened when the browser loaded these pages</h1>
<p class="summary">{{.Intro}}</p>
{{range .Pages}}
<h2>{{.N}}. {{.Title}}</h2>
<p class="summary">{{.Summary}}</p>
{{if .Waterfall}}<h3>Waterfall</h3>
<div class="legend">{{range $.Legend}}<span style="--c:{{.Color}}">{{.Title}}</span>{{end}}</div>
{{.Waterfall}}{{end}}
{{if .Steps}}<h3>Step by step</h3>
<ol class="story">{{range .Steps}}<li value="{{.N}}"><strong>{{.Title}}</strong>
{{range .Blocks}}{{if .Items}}<ul>{{range .Items}}<li>{{.Text}}{{if .Sub}}<ul>{{range .Sub}}<li>{{.}}</li>{{end}}</ul>{{end}}</li>{{end}}</ul>{{else}}<p>{{.Text}}</p>{{end}}{{end}}
</li>{{end}}</ol>{{end}}
{{end}}
{{if .Skipped}}<p><em>{{.Skipped}} more page loads are not told here; the HAR export has them all.</em></p>{{end}}
{{if .Unattributed}}<h2>Requests no page load claimed</h2>
<p>These requests carried no sign of the page that made them: background checks of the browser, beacons, or pages loaded before glassbox started.</p>
<table><tr><th>#</th><th>method</th><th>URL</th><th>status</th><th>time</th></tr>
{{range .Unattributed}}<tr><td>{{.ID}}</td><td>{{.Method}}</td><td style="overflow-wrap:anywhere">{{.URL}}</td><td>{{status .}}</td><td>{{dur .}}</td></tr>
{{end}}</table>{{end}}
<footer>{{.Footer}}</footer>
</body></html>
`))
