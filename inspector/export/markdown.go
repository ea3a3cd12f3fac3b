package export

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/textsafe"
)

// textWidth is the width of a Markdown waterfall's time axis, in columns.
const textWidth = 48

// writeMarkdown writes the report as Markdown.
func writeMarkdown(ctx context.Context, r store.Reader, w io.Writer, j *job) error {
	s, err := loadReport(ctx, r, j)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# What happened when the browser loaded these pages\n\n")
	fmt.Fprintf(bw, "%s\n\n", intro(s))
	for i := range s.Pages {
		writePageMarkdown(bw, i+1, &s.Pages[i], j)
	}
	if s.Skipped > 0 {
		fmt.Fprintf(bw, "_%d more page loads are not told here; the HAR export has them all._\n\n", s.Skipped)
	}
	if len(s.Unattributed) > 0 {
		fmt.Fprintf(bw, "## Requests no page load claimed\n\n")
		fmt.Fprintf(bw, "These requests carried no sign of the page that made them (no Referer, long after any page): "+
			"background checks of the browser, beacons, or pages loaded before glassbox started.\n\n")
		fmt.Fprintf(bw, "| # | method | URL | status | time |\n|---|---|---|---|---|\n")
		for _, f := range s.Unattributed {
			url := mdEscape(f.URL)
			if c := j.comment(f.ID, 0); c != "" {
				url += " (comment: " + mdEscape(c) + ")" // a cell past the header's would be dropped
			}
			fmt.Fprintf(bw, "| %d | %s | %s | %s | %s |\n", f.ID, mdEscape(f.Method), url, mdEscape(statusText(&f)), explain.FormatDuration(f.Duration()))
		}
		fmt.Fprintln(bw)
	}
	fmt.Fprintf(bw, "---\n%s\n", footer(j.version()))
	return bw.Flush()
}

func intro(s *report) string {
	n, bytes := 0, int64(0)
	for _, p := range s.Pages {
		n += len(p.Flows)
		bytes += p.Bytes
	}
	src := "recorded by glassbox"
	if file, ok := strings.CutPrefix(s.Session.Source, store.SourceImport); ok {
		src = "imported from " + textsafe.Line(file)
	}
	out := fmt.Sprintf("Session %d, %s on %s: %s, %s, %s downloaded.",
		s.Session.ID, src, s.Session.Started.Local().Format("2 January 2006 at 15:04"), explain.Plural(len(s.Pages), "page load"),
		explain.Plural(n, "request"), explain.FormatBytes(bytes))
	if shaped := explain.Shaped(textsafe.Line(s.Session.Network)); shaped != "" {
		out += " " + shaped
	}
	return out
}

func footer(version string) string {
	return fmt.Sprintf("Made with glassbox %s. Times are what glassbox measured between the browser and the servers.", version)
}

func writePageMarkdown(w *bufio.Writer, n int, pr *pageReport, j *job) {
	fmt.Fprintf(w, "## %d. %s\n\n", n, mdEscape(pr.title()))
	fmt.Fprintf(w, "%s\n\n", pageSummary(pr))
	if c := j.comment(0, pr.Page.ID); c != "" {
		fmt.Fprintf(w, "> **Comment:** %s\n\n", mdEscape(c))
	}
	writeDiagnosisMarkdown(w, pr.Diagnosis)
	if notes := flowNotes(j, pr.Flows); len(notes) > 0 {
		fmt.Fprintf(w, "### Marked and commented requests\n\n")
		for _, n := range notes {
			fmt.Fprintf(w, "- %s\n", mdEscape(n))
		}
		fmt.Fprintln(w)
	}
	bars, span := pr.bars()
	if len(bars) > 0 {
		fmt.Fprintf(w, "### Waterfall\n\n```text\n")
		fmt.Fprintf(w, "legend: %s\n", textLegend())
		fmt.Fprintf(w, "0%s%s\n", strings.Repeat(" ", textWidth-1), explain.FormatDuration(span))
		for _, b := range bars {
			fmt.Fprintf(w, "%-*s %s %s\n", textWidth, textBar(b, span, textWidth), statusText(b.Flow), shorten(b.Flow.URL, 60))
		}
		fmt.Fprintf(w, "```\n\n")
	}
	if len(pr.Steps) > 0 {
		fmt.Fprintf(w, "### Step by step\n\n")
		for _, st := range pr.Steps {
			fmt.Fprintf(w, "%d. **%s**\n", st.N, mdEscape(st.Title))
			for _, line := range strings.Split(st.Text, "\n") {
				if strings.TrimSpace(line) == "" {
					continue
				}
				fmt.Fprintf(w, "   %s\n", mdLine(line))
			}
			fmt.Fprintln(w)
		}
	}
}

// pageSummary is the line under a page's title.
func pageSummary(pr *pageReport) string {
	parts := []string{textsafe.Line(pr.Page.URL)}
	if !pr.Start.IsZero() {
		parts = append(parts, "started "+pr.Start.Local().Format("15:04:05"))
	}
	if !pr.Settled.IsZero() {
		parts = append(parts, "settled after "+explain.FormatDuration(pr.Settled.Sub(pr.Start)))
	}
	parts = append(parts, fmt.Sprintf("%s (%s)", explain.Plural(len(pr.Flows), "request"), typeCounts(pr.Flows)), explain.FormatBytes(pr.Bytes))
	if pr.Failures > 0 {
		parts = append(parts, fmt.Sprintf("%d failed or answered with an error", pr.Failures))
	}
	if len(pr.Frames) > 0 {
		parts = append(parts, explain.Plural(len(pr.Frames), "iframe"))
	}
	return strings.Join(parts, " · ")
}

func statusText(f *store.Flow) string {
	switch {
	case f.Error != nil && f.Status == 0:
		return "ERR " + f.Error.Phase
	case f.Status == 0:
		return "---"
	}
	return fmt.Sprint(f.Status)
}

// mdLine keeps the story's list markers and escapes the rest.
func mdLine(line string) string {
	indent := len(line) - len(strings.TrimLeft(line, " "))
	body := strings.TrimLeft(line, " ")
	if strings.HasPrefix(body, "- ") {
		return strings.Repeat(" ", indent) + "- " + mdEscape(body[2:])
	}
	return mdEscape(body)
}

// mdEscape keeps text on its line (textsafe.Line) and from turning into
// Markdown markup by accident.
func mdEscape(s string) string {
	return mdEscaper.Replace(textsafe.Line(s))
}

var mdEscaper = strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`)

// shorten is s on one line (textsafe.Line), cut to about n bytes at a
// character's start, ending with "…" when it was cut.
func shorten(s string, n int) string {
	s = textsafe.Line(s)
	if len(s) <= n {
		return s
	}
	cut := n - 1
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
