package inspector

import (
	"fmt"
	"io"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/compare"
	"github.com/glassbox-dev/glassbox/inspector/export"
	"github.com/glassbox-dev/glassbox/inspector/render"
)

// Comparing two page loads (what `glassbox compare` prints): v on one page
// load marks it A, v on another reads both and opens the comparison on a
// screen of its own, where r writes it as an HTML report.

// comparison is the comparison on screen, and the page loads it compares.
type comparison struct {
	res  compare.Result
	a, b int64
}

func (a *app) comparePages(*tcell.EventKey) {
	sc, ok := a.groupScope()
	if !ok || sc.pageID == 0 {
		a.setMsg(render.WarnText, "select a page load (or a flow in one) to compare it with another")
		return
	}
	id := sc.pageID
	switch {
	case a.compareA == 0:
		a.compareA = id
		a.setMsg(render.GoodText, fmt.Sprintf("page load #%d is A: select another page load and press v to compare them (v on #%d again forgets it)", id, id))
	case a.compareA == id:
		a.compareA = 0
		a.setMsg(render.Dim, fmt.Sprintf("page load #%d is no longer marked for comparing", id))
	case a.load.compare:
		a.setMsg(render.Dim, "a comparison is being read")
	default:
		a.readComparison(a.compareA, id)
	}
}

// readComparison reads page loads pa and pb of the session in the
// background and opens the comparison screen.
func (a *app) readComparison(pa, pb int64) {
	sid := a.session.ID
	a.load.compare = true
	a.setMsg(render.Dim, fmt.Sprintf("comparing page loads #%d and #%d…", pa, pb))
	a.goBackground(func() func(*app) {
		sa, err := compare.LoadPage(a.ctx, a.opts.Reader, sid, pa)
		var sb compare.Side
		if err == nil {
			sb, err = compare.LoadPage(a.ctx, a.opts.Reader, sid, pb)
		}
		return func(a *app) {
			a.load.compare = false
			if err != nil {
				a.setMsg(render.ErrorText, "compare: "+err.Error())
				return
			}
			a.compared = &comparison{res: compare.Compare(sa, sb), a: pa, b: pb}
			a.compareA = 0
			a.openOverlay(overlayCompare)
		}
	})
}

// writeComparison writes the comparison on screen as an HTML report into
// the export folder.
func (a *app) writeComparison(*tcell.EventKey) {
	c := a.compared
	if a.overlay != overlayCompare || c == nil {
		return
	}
	name := fmt.Sprintf("glassbox-s%d-compare-%d-%d", a.session.ID, c.a, c.b)
	a.load.export = true
	a.goBackground(func() func(*app) {
		path, err := export.CreateNew(a.exportTo, name, "html", func(w io.Writer) error {
			return export.WriteComparison(w, c.res, export.FormatHTML)
		})
		return func(a *app) {
			a.load.export = false
			if err != nil {
				a.setMsg(render.ErrorText, "compare: "+err.Error())
				return
			}
			a.setMsg(render.GoodText, "wrote the comparison (HTML report) to\n"+path)
		}
	})
}

// compareLines lays the comparison out as the Markdown and HTML reports do:
// the same tables, in columns that fit w.
func (a *app) compareLines(w int) (string, []render.Line) {
	c := a.compared
	if c == nil {
		return "Comparison", nil
	}
	title := fmt.Sprintf("Comparing %s (A) with %s (B) · r writes it as an HTML report", c.res.A.Label, c.res.B.Label)
	var out []render.Line
	for _, t := range export.ComparisonTables(c.res) {
		out = append(out, render.L(render.S(render.Title, t.Title)))
		if t.Intro != "" {
			out = append(out, render.Wrap(t.Intro, w, "", "", render.Dim)...)
		}
		if len(t.Rows) == 0 {
			out = append(out, render.P("None."))
		} else {
			out = append(out, tableLines(t, w)...)
		}
		out = append(out, render.P(""))
	}
	return render.Fit(render.Sanitize(title), w-4), out
}

// tableLines sets a table in columns: the first (the requests) takes what
// the others leave, cut in its middle where it must be; the others are
// right-aligned numbers.
func tableLines(t export.Table, w int) []render.Line {
	n := len(t.Head)
	widths := make([]int, n)
	for _, row := range append([][]string{t.Head}, t.Rows...) {
		for i, cell := range row {
			if i < n {
				widths[i] = max(widths[i], render.Width(cell))
			}
		}
	}
	rest := 0
	for _, cw := range widths[1:] {
		rest += cw + 2
	}
	widths[0] = max(min(widths[0], w-rest), 12)
	line := func(row []string, role render.Role) render.Line {
		var b strings.Builder
		for i := 0; i < n; i++ {
			cell := ""
			if i < len(row) {
				cell = render.Sanitize(row[i])
			}
			if i == 0 {
				b.WriteString(render.PadRight(render.FitMiddle(cell, widths[0]), widths[0]))
				continue
			}
			b.WriteString("  " + render.PadLeft(cell, widths[i]))
		}
		return render.L(render.S(role, b.String()))
	}
	out := []render.Line{line(t.Head, render.Dim)}
	for _, row := range t.Rows {
		out = append(out, line(row, render.Normal))
	}
	return out
}
