package render

import (
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// Waterfall draws every flow of a page load as a bar on one time axis,
// scaled to the width, its phases in their colours (or characters), under
// a legend and a time ruler: what ran in parallel, what waited on what,
// and where the time went.
func Waterfall(th *Theme, d PageDetail, w int) []Line {
	rows := d.Rows
	if len(rows) == 0 {
		return []Line{L(S(Dim, "no flows in this page load yet"))}
	}
	t0, t1 := rows[0].Start, rows[0].Start
	for _, r := range rows {
		if !r.Start.IsZero() && r.Start.Before(t0) {
			t0 = r.Start
		}
		if end := r.Start.Add(r.Dur); end.After(t1) {
			t1 = end
		}
	}
	// The label holds status, method and target: at 80 columns that is
	// 24 cells, enough to keep the path's end (FlowLabel).
	labelW := min(max(w*3/10, 12), 40)
	const durW = 9
	barW := max(w-labelW-durW-4, 10)
	total := t1.Sub(t0)
	scale := (total + time.Duration(barW) - 1) / time.Duration(barW)
	if scale <= 0 {
		scale = 1
	}
	out := []Line{Legend(th), Blank}
	out = append(out, ruler(total, scale, barW, labelW+3)...)
	pageHost := ""
	if len(rows) > 0 {
		pageHost = rows[0].Host
	}
	for _, r := range rows {
		if !d.Window.has(len(out)) {
			out = append(out, nil) // not shown: not laid out
			continue
		}
		var c = d.Conns[r.ConnID]
		mark := "  "
		role := Normal
		if r.ID == d.Selected {
			mark, role = "▶ ", Bold
		}
		l := L(S(role, mark), S(StatusRole(r.Status, r.Failed()), PadRight(statusText(r), 4)),
			S(role, PadRight(FlowLabel(r.Method, r.Host, r.Path, pageHost, labelW-4), labelW-4)), S(Normal, " "))
		l = append(l, barSpans(th, rowPhases(r, c), t0, scale, barW)...)
		dur := "…"
		if !r.End.IsZero() {
			dur = Dur(r.Dur)
		}
		out = append(out, append(l, S(Dim, " "+PadLeft(dur, durW))))
	}
	return out
}

// Legend names the phases in their colours or characters.
func Legend(th *Theme) Line {
	var l Line
	for i, p := range store.TimingPhases {
		if i > 0 {
			l = append(l, S(Normal, "  "))
		}
		l = append(l, S(phaseRoles[i], phaseGlyph(th, phaseRoles[i])), S(Normal, " "+p.Label))
	}
	return l
}

// ruler is the time axis: tick labels, then tick marks.
func ruler(total, scale time.Duration, cells, indent int) []Line {
	step := axisStep(total, cells, 12)
	labels := []rune(strings.Repeat(" ", cells+12))
	marks := []rune(strings.Repeat("─", cells))
	for t := time.Duration(0); t <= total+scale; t += step {
		x := int(t / scale)
		if x >= cells {
			break
		}
		marks[x] = '┬'
		text := Dur(t)
		if t == 0 {
			text = "0"
		}
		copy(labels[x:], []rune(text))
	}
	pad := strings.Repeat(" ", indent)
	return []Line{
		L(S(Dim, pad+strings.TrimRight(string(labels), " "))),
		L(S(Dim, pad+string(marks))),
	}
}
