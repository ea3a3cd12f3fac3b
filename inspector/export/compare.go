package export

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/compare"
	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/textsafe"
)

// Table is one part of a comparison, written the same as Markdown, HTML or
// on the inspector's screen.
type Table struct {
	Title string
	Intro string
	Head  []string
	Rows  [][]string
}

// WriteComparison writes a comparison (compare.Compare) as Markdown
// (FormatMarkdown, also what `glassbox compare` prints) or as one HTML file.
func WriteComparison(w io.Writer, res compare.Result, format Format) error {
	title := "Comparing " + res.A.Label + " (A) with " + res.B.Label + " (B)"
	tables := ComparisonTables(res)
	if format == FormatHTML {
		return comparePage.Execute(w, map[string]any{"Title": title, "Tables": tables, "Footer": "Written by glassbox compare."})
	}
	tw := textsafe.NewWriter(w)
	fmt.Fprintf(tw, "# %s\n", mdEscape(title))
	for _, t := range tables {
		fmt.Fprintf(tw, "\n## %s\n\n", mdEscape(t.Title))
		if t.Intro != "" {
			fmt.Fprintf(tw, "%s\n\n", mdEscape(t.Intro))
		}
		if len(t.Rows) == 0 {
			fmt.Fprint(tw, "None.\n")
			continue
		}
		fmt.Fprintf(tw, "| %s |\n|%s\n", strings.Join(escapeAll(t.Head), " | "), strings.Repeat("---|", len(t.Head)))
		for _, r := range t.Rows {
			fmt.Fprintf(tw, "| %s |\n", strings.Join(escapeAll(r), " | "))
		}
	}
	return tw.Close()
}

func escapeAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = mdEscape(c)
	}
	return out
}

// ComparisonTables lays the comparison out: the totals, the phases, what
// the cache saved, every request, what only one side made.
func ComparisonTables(res compare.Result) []Table {
	return []Table{totalsTable(res), phasesTable(res), savedTable(res), rowsTable(res), onlyTable(res)}
}

func totalsTable(res compare.Result) Table {
	a, b := res.TotA, res.TotB
	num := func(name string, x, y int) []string {
		return []string{name, strconv.Itoa(x), strconv.Itoa(y), signed(int64(y - x))}
	}
	return Table{Title: "In numbers", Head: []string{"", "A", "B", "B − A"}, Rows: [][]string{
		num("requests", a.Requests, b.Requests),
		{"response bytes on the wire", explain.FormatBytes(a.Bytes), explain.FormatBytes(b.Bytes), signedBytes(b.Bytes - a.Bytes)},
		{"from the first request to the last answer", explain.FormatDuration(a.Elapsed), explain.FormatDuration(b.Elapsed), signedDur(b.Elapsed - a.Elapsed)},
		num("DNS lookups that asked a server", a.Lookups, b.Lookups),
		num("DNS answers from glassbox's cache", a.CacheHits, b.CacheHits),
		num("connections opened", a.NewConns, b.NewConns),
		num("requests over a connection already open", a.Reused, b.Reused),
		num("answers 304 Not Modified (the browser's copy confirmed)", a.Revalidated, b.Revalidated),
	}, Intro: fmt.Sprintf("%d requests on both sides, %d only in A, %d only in B; %d changed status.",
		res.Counts.Both, res.Counts.OnlyA, res.Counts.OnlyB, res.Counts.StatusChanged)}
}

func phasesTable(res compare.Result) Table {
	t := Table{Title: "Where the time went", Head: []string{"phase", "A", "B", "B − A"},
		Intro: "Each phase summed over every request of the side; requests run side by side, so the sums are more than the time from first to last."}
	for _, p := range store.TimingPhases {
		x, y := res.TotA.Phases[p.Name], res.TotB.Phases[p.Name]
		t.Rows = append(t.Rows, []string{p.Title, explain.FormatDuration(x), explain.FormatDuration(y), signedDur(y - x)})
	}
	return t
}

// savedTable lists the requests B revalidated (304) where A downloaded:
// the bytes the browser's cache saved, and their total.
func savedTable(res compare.Result) Table {
	t := Table{Title: "What the browser's cache saved",
		Intro: "A 304 Not Modified answer carries no body: the server confirmed the copy the browser already had (RFC 9110 §15.4.5), so only headers crossed the wire.",
		Head:  []string{"request", "A", "B", "bytes saved"}}
	var total int64
	for _, r := range res.Rows {
		if r.A == nil || r.B == nil || r.B.Status != 304 || r.A.Status == 304 {
			continue
		}
		total += r.Saved()
		t.Rows = append(t.Rows, []string{r.Key, statusOf(r.A), statusOf(r.B), explain.FormatBytes(r.Saved())})
	}
	if len(t.Rows) > 0 {
		t.Rows = append(t.Rows, []string{"total", "", "", explain.FormatBytes(total)})
	}
	return t
}

func rowsTable(res compare.Result) Table {
	t := Table{Title: "Request by request", Head: []string{"request", "A", "B", "time A", "time B", "bytes B − A"}}
	for _, r := range res.Rows {
		if r.A == nil || r.B == nil {
			continue
		}
		t.Rows = append(t.Rows, []string{r.Key, statusOf(r.A), statusOf(r.B),
			explain.FormatDuration(r.A.Duration()), explain.FormatDuration(r.B.Duration()), signedBytes(-r.Saved())})
	}
	return t
}

func onlyTable(res compare.Result) Table {
	t := Table{Title: "Made on one side only", Head: []string{"request", "side", "status", "bytes"},
		Intro: "A request one side made and the other did not: the browser had it in its cache without asking, the page changed, or a redirect was remembered (HSTS, a cached 301)."}
	for _, r := range res.Rows {
		switch {
		case r.B == nil:
			t.Rows = append(t.Rows, []string{r.Key, "A", statusOf(r.A), explain.FormatBytes(r.A.RespBody.Size)})
		case r.A == nil:
			t.Rows = append(t.Rows, []string{r.Key, "B", statusOf(r.B), explain.FormatBytes(r.B.RespBody.Size)})
		}
	}
	return t
}

func statusOf(f *store.Flow) string {
	if f.Status == 0 {
		if f.Error != nil {
			return "failed (" + f.Error.Phase + ")"
		}
		return "no answer"
	}
	return strconv.Itoa(f.Status)
}

func signed(n int64) string {
	if n > 0 {
		return "+" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

func signedBytes(n int64) string {
	switch {
	case n == 0:
		return explain.FormatBytes(0)
	case n < 0:
		return "−" + explain.FormatBytes(-n)
	}
	return "+" + explain.FormatBytes(n)
}

func signedDur(d time.Duration) string {
	switch {
	case d == 0:
		return explain.FormatDuration(0)
	case d < 0:
		return "−" + explain.FormatDuration(-d)
	}
	return "+" + explain.FormatDuration(d)
}

var comparePage = template.Must(template.New("compare").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;max-width:62rem;margin:2rem auto;padding:0 1.2rem}
h1{font-size:1.5rem} h2{margin-top:2rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem}
Table{border-collapse:collapse;font-size:.9rem} td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left;overflow-wrap:anywhere}
footer{margin-top:3rem;color:#57606a;font-size:.85rem}
</style></head><body>
<h1>{{.Title}}</h1>
{{range .Tables}}<h2>{{.Title}}</h2>{{if .Intro}}<p>{{.Intro}}</p>{{end}}
{{if .Rows}}<table><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}
{{end}}<footer>{{.Footer}}</footer>
</body></html>
`))
