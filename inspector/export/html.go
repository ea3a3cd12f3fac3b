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
	"github.com/glassbox-dev/glassbox/store/textsafe"
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
		Comment   string   // what a person wrote on the page load
		Notes     []string // its marked and commented requests
		Waterfall template.HTML
		Steps     []stepView
		Diagnosis *diagnosisView
	}
	data := struct {
		Intro        string
		Pages        []pageView
		Skipped      int
		Unattributed []flowView
		Footer       string
		Legend       []legendItem
		MinPhase     float64
	}{Intro: intro(s), Skipped: s.Skipped, Footer: footer(j.version()), Legend: legend(), MinPhase: wfMinPhase}
	for _, f := range s.Unattributed {
		data.Unattributed = append(data.Unattributed, flowView{Flow: f, Note: j.comment(f.ID, 0)})
	}
	for i := range s.Pages {
		pr := &s.Pages[i]
		pv := pageView{N: i + 1, Title: pr.title(), Summary: pageSummary(pr), Waterfall: svgWaterfall(pr),
			Comment: j.comment(0, pr.Page.ID), Notes: flowNotes(j, pr.Flows), Diagnosis: pr.Diagnosis}
		for _, st := range pr.Steps {
			pv.Steps = append(pv.Steps, stepView{N: st.N, Title: st.Title, Blocks: blocks(st.Text)})
		}
		data.Pages = append(data.Pages, pv)
	}
	return htmlPage.Execute(w, data)
}

type legendItem struct{ Color, Title string }

// flowView is a flow of the unattributed table with its note.
type flowView struct {
	store.Flow
	Note string
}

// flowNotes are the marked and commented flows among flows, one line each.
func flowNotes(j *job, flows []store.Flow) []string {
	var out []string
	for i := range flows {
		f := &flows[i]
		if c := j.comment(f.ID, 0); c != "" {
			out = append(out, fmt.Sprintf("#%d %s %s: %s", f.ID, f.Method, textsafe.Line(f.URL), c))
		}
	}
	return out
}

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
	// Sub marks a list of details under the paragraph before it (the
	// story's "  - " lines with no item above): indented as sub-items are
	// everywhere else, and never joined with a list that follows.
	Sub bool
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
			switch n := len(out); {
			case n > 0 && out[n-1].Sub:
				out[n-1].Items = append(out[n-1].Items, item{Text: line[4:]})
			case n > 0 && len(out[n-1].Items) > 0:
				last := &out[n-1].Items[len(out[n-1].Items)-1]
				last.Sub = append(last.Sub, line[4:])
			default:
				out = append(out, block{Items: []item{{Text: line[4:]}}, Sub: true})
			}
		case strings.HasPrefix(line, "- "):
			if n := len(out); n > 0 && len(out[n-1].Items) > 0 && !out[n-1].Sub {
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

// The SVG waterfall's geometry, in its own units (it is drawn 960 wide,
// about the width of the page's text): the label column, the time axis,
// the room after the axis for durations, the rows.
const (
	wfLabelW = 330.0
	wfAxisW  = 530.0
	wfDurW   = 100.0
	wfRowH   = 18.0
	wfTop    = 22.0
	// wfCharW is the widest a character of the labels' 11px monospace font
	// draws (0.6em in the common ones, with a margin): labels are cut to
	// the characters that fit their column, and clipped to it besides, so
	// a long label never runs into the bars (issue 19).
	wfCharW = 7.0
	// wfMinPhase is the narrowest a phase is drawn: a 0.1 ms phase of an
	// 80 ms page would be a fraction of a pixel, its colour invisible. The
	// axis keeps room for the widening (maxPhases of them per bar).
	wfMinPhase = 4.0
)

// svgWaterfall draws a page's flows on a shared time axis.
func svgWaterfall(pr *pageReport) template.HTML {
	bars, span := pr.bars()
	if len(bars) == 0 {
		return ""
	}
	axis := wfAxisW - wfMinPhase*float64(len(store.TimingPhases))
	height := wfTop + wfRowH*float64(len(bars)) + 8
	x := func(d time.Duration) float64 {
		if span <= 0 {
			return wfLabelW
		}
		return wfLabelW + axis*float64(d)/float64(span)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="waterfall" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="waterfall of %d requests" xmlns="http://www.w3.org/2000/svg">`,
		wfLabelW+wfAxisW+wfDurW, height, len(bars))
	fmt.Fprintf(&b, `<clipPath id="%s"><rect x="0" y="0" width="%.0f" height="%.0f"/></clipPath>`, clipID(pr), wfLabelW-8, height)
	for i := 0; i <= 4; i++ { // the axis: five ticks with their times
		d := span * time.Duration(i) / 4
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" class="tick"/>`, x(d), wfTop-6, x(d), height)
		fmt.Fprintf(&b, `<text x="%.1f" y="12" class="axis">%s</text>`, x(d), template.HTMLEscapeString(explain.FormatDuration(d)))
	}
	room := wfLabelW - 12.0
	chars := int(room / wfCharW) // 45
	for i, br := range bars {
		svgRow(&b, br, wfTop+wfRowH*float64(i), x, chars, clipID(pr))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// clipID names the clip path of a page's labels (one per page: ids are
// the document's).
func clipID(pr *pageReport) string { return fmt.Sprintf("labels-%d", pr.Page.ID) }

// svgRow draws one flow: its label, its phases (each at least wfMinPhase
// wide), its duration after the bar.
func svgRow(b *strings.Builder, br bar, y float64, x func(time.Duration) float64, chars int, clip string) {
	f := br.Flow
	label := fmt.Sprintf("%s %s %s", statusText(f), f.Method, shortenMiddle(urlLabel(f), chars-len(statusText(f))-len(f.Method)-2))
	cls := "label"
	if f.Error != nil || f.Status >= 400 {
		cls = "label bad"
	}
	fmt.Fprintf(b, `<text x="4" y="%.1f" class="%s" clip-path="url(#%s)">%s<title>%s</title></text>`, y+12, cls, clip,
		template.HTMLEscapeString(label), template.HTMLEscapeString(f.Method+" "+f.URL))
	at, left := br.Offset, x(br.Offset)
	for _, p := range br.Phases {
		w := max(x(at+p.D)-x(at), wfMinPhase)
		fmt.Fprintf(b, `<rect class="phase" x="%.2f" y="%.1f" width="%.2f" height="%.0f" fill="%s"><title>%s: %s</title></rect>`,
			left, y+3, w, wfRowH-6, phaseInfo(p.Name).Color, phaseInfo(p.Name).Title, explain.FormatDuration(p.D))
		at += p.D
		left += w
	}
	if len(br.Phases) == 0 {
		left += wfMinPhase // nothing measured: a mark where it began
		fmt.Fprintf(b, `<rect class="phase" x="%.2f" y="%.1f" width="%.0f" height="%.0f" fill="#888"/>`, left-wfMinPhase, y+3, wfMinPhase, wfRowH-6)
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="dur">%s</text>`, left+4, y+12, template.HTMLEscapeString(explain.FormatDuration(br.Total)))
}

// urlLabel is a flow's URL without its scheme: the label's room is short.
func urlLabel(f *store.Flow) string {
	u := f.URL
	for _, p := range []string{"https://", "http://", "wss://", "ws://"} {
		if rest, ok := strings.CutPrefix(u, p); ok {
			return rest
		}
	}
	return u
}

// shortenMiddle cuts s to n characters in its middle, keeping its start
// (the host) and its end (what tells two requests apart).
func shortenMiddle(s string, n int) string {
	s = textsafe.Line(s)
	rs := []rune(s)
	if len(rs) <= n || n < 8 {
		return shorten(s, max(n, 1))
	}
	head := (n - 1) / 2
	return string(rs[:head]) + "…" + string(rs[len(rs)-(n-1-head):])
}

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"status": func(f store.Flow) string { return statusText(&f) },
	"dur":    func(f store.Flow) string { return explain.FormatDuration(f.Duration()) },
	"inc":    func(n int) int { return n + 1 },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>glassbox report</title>
<style>
*{box-sizing:border-box}
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;max-width:62rem;margin:2rem auto;padding:0 1.2rem;overflow-wrap:anywhere}
h1{font-size:1.7rem;margin-bottom:.3rem} h2{margin-top:2.5rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem}
h3{font-size:1.05rem;color:#444;margin-top:1.5rem} .summary{color:#57606a;overflow-wrap:anywhere}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1rem;font-size:.85rem;color:#444;margin:.4rem 0}
.legend span::before{content:"";display:inline-block;width:.9rem;height:.6rem;margin-right:.3rem;background:var(--c);vertical-align:middle}
svg.waterfall{font:11px ui-monospace,SFMono-Regular,Menlo,monospace;border:1px solid #d0d7de;border-radius:6px;background:#fff}
svg .tick{stroke:#eaeef2} svg .axis{fill:#57606a} svg .label{fill:#24292f} svg .bad{fill:#cf222e} svg .dur{fill:#57606a}
svg .phase{stroke:#fff;stroke-width:.5}
.legend-note{font-size:.8rem;color:#57606a;margin:.1rem 0 .5rem}
nav.toc{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1.2rem;margin:1.5rem 0}
nav.toc h2{margin:.2rem 0 .4rem;border:0;font-size:1.1rem} nav.toc ol{margin:0;padding-left:1.6rem} nav.toc li{margin:.15rem 0}
nav.toc .meta{color:#57606a;font-size:.85rem}
ul.sub{margin-left:2.4rem} blockquote.comment{border-left:4px solid #d4a72c;background:#fff8c5;margin:.6rem 0;padding:.3rem .8rem}
ul.notes li{overflow-wrap:anywhere}
ol.story>li{margin:.9rem 0} ol.story>li>strong{font-size:1.02rem} ol.story p{margin:.3rem 0}
ol.story ul{margin:.2rem 0 .2rem 1.2rem;padding:0} code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}
table{border-collapse:collapse;font-size:.9rem} td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left}
footer{margin-top:3rem;color:#57606a;font-size:.85rem}
ul.findings>li{margin:.5rem 0} ul.findings ul{color:#444;font-size:.92rem} ol.path .url{overflow-wrap:anywhere} .meta{color:#57606a}
.swatch::before{content:"";display:inline-block;width:.9rem;height:.6rem;margin-right:.3rem;background:var(--c)}
@media print{h2{break-before:page} svg.waterfall{break-inside:avoid}}
</style></head><body>
<h1>What happened when the browser loaded these pages</h1>
<p class="summary">{{.Intro}}</p>
{{if gt (len .Pages) 1}}<nav class="toc"><h2>Contents</h2><ol>
{{range .Pages}}<li><a href="#page-{{.N}}">{{.Title}}</a>{{if .Comment}} <span class="meta">· {{.Comment}}</span>{{end}}</li>
{{end}}{{if .Unattributed}}<li value="{{len .Pages | inc}}"><a href="#unattributed">Requests no page load claimed</a></li>{{end}}</ol></nav>{{end}}
{{range .Pages}}
<h2 id="page-{{.N}}">{{.N}}. {{.Title}}</h2>
<p class="summary">{{.Summary}}</p>
{{if .Comment}}<blockquote class="comment"><strong>Comment:</strong> {{.Comment}}</blockquote>{{end}}
{{with .Diagnosis}}{{template "diagnosis" .}}{{end}}
{{if .Notes}}<h3>Marked and commented requests</h3><ul class="notes">{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Waterfall}}<h3>Waterfall</h3>
<div class="legend">{{range $.Legend}}<span style="--c:{{.Color}}">{{.Title}}</span>{{end}}</div>
<p class="legend-note">Each coloured part is drawn at least {{$.MinPhase}} px wide so that the shortest phases show; point at one for its exact time.</p>
{{.Waterfall}}{{end}}
{{if .Steps}}<h3>Step by step</h3>
<ol class="story">{{range .Steps}}<li value="{{.N}}"><strong>{{.Title}}</strong>
{{range .Blocks}}{{if .Items}}<ul{{if .Sub}} class="sub"{{end}}>{{range .Items}}<li>{{.Text}}{{if .Sub}}<ul>{{range .Sub}}<li>{{.}}</li>{{end}}</ul>{{end}}</li>{{end}}</ul>{{else}}<p>{{.Text}}</p>{{end}}{{end}}
</li>{{end}}</ol>{{end}}
{{end}}
{{if .Skipped}}<p><em>{{.Skipped}} more page loads are not told here; the HAR export has them all.</em></p>{{end}}
{{if .Unattributed}}<h2 id="unattributed">Requests no page load claimed</h2>
<p>These requests carried no sign of the page that made them: background checks of the browser, beacons, or pages loaded before glassbox started.</p>
<table><tr><th>#</th><th>method</th><th>URL</th><th>status</th><th>time</th><th>comment</th></tr>
{{range .Unattributed}}<tr><td>{{.ID}}</td><td>{{.Method}}</td><td style="overflow-wrap:anywhere">{{.URL}}</td><td>{{status .Flow}}</td><td>{{dur .Flow}}</td><td>{{.Note}}</td></tr>
{{end}}</table>{{end}}
<footer>{{.Footer}}</footer>
</body></html>
` + htmlDiagnosis))
