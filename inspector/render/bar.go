package render

import (
	"math"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
)

// rowPhases lays a flow's phases end to end from its start, from its
// summary and its connection's record (c may be nil: then the time before
// the connection was ready is drawn as queued, store.Marks.Timings says why).
func rowPhases(r *model.Row, c *store.Conn) []store.PhaseSpan {
	return r.Marks().Timings(c.Dial()).Spans(r.Start)
}

// barSpans turns phases on a time axis into cells: the axis starts at t0
// and each cell is scale long. A phase of at least a quarter of a cell
// gets a cell even when rounding would drop it; shorter ones are left out
// unless the flow would otherwise draw nothing.
func barSpans(th *Theme, phases []store.PhaseSpan, t0 time.Time, scale time.Duration, cells int) []Span {
	if scale <= 0 || cells <= 0 {
		return nil
	}
	roles := make([]Role, cells)
	set := make([]bool, cells)
	lastEnd := -1
	longest := 0
	for i, p := range phases {
		if p.Dur > phases[longest].Dur {
			longest = i
		}
	}
	for i, p := range phases {
		a := int((p.Start.Sub(t0) + scale/2) / scale) // both ends rounded alike
		b := int((p.Start.Add(p.Dur).Sub(t0) + scale/2) / scale)
		if a <= lastEnd {
			a = lastEnd + 1
		}
		if b <= a {
			if p.Dur*4 < scale && (i != longest || lastEnd >= 0) {
				continue
			}
			b = a + 1
		}
		for x := a; x < b && x < cells; x++ {
			if x >= 0 {
				roles[x], set[x] = phaseRole(p.Phase), true
			}
		}
		if b-1 > lastEnd {
			lastEnd = b - 1
		}
	}
	var out []Span
	for x := 0; x < cells; x++ {
		ch, role := " ", Normal
		if set[x] {
			role = roles[x]
			ch = phaseGlyph(th, role)
		}
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].Text += ch
		} else {
			out = append(out, Span{Text: ch, Role: role})
		}
	}
	return out
}

// selectStyle marks a style as selected while keeping its colour where
// it reads on the selection's background; a colour that does not (grey
// text on the unfocused pane's grey, blue on navy: issue 19) turns white.
// The unfocused pane's selection is a dark slate, darker than grey text
// and lighter than the terminal's black.
func (t *Theme) selectStyle(st tcell.Style, focused bool) tcell.Style {
	if t.Mono {
		if focused {
			return st.Reverse(true)
		}
		return st.Underline(true)
	}
	bg := SelectionBackground(focused)
	if fg, _, _ := st.Decompose(); fg == tcell.ColorDefault || Contrast(fg, bg) < minContrast {
		st = st.Foreground(tcell.ColorWhite)
	}
	return st.Background(bg)
}

// minContrast is the least contrast ratio a selected line's text keeps
// against its background: WCAG 2's 3:1 for large or bold text, which is
// what a terminal cell is closest to.
const minContrast = 3

// SelectionBackground is the background of the selected list line: navy
// in the pane with the keys, a dark slate in the other.
func SelectionBackground(focused bool) tcell.Color {
	if focused {
		return tcell.ColorNavy
	}
	return tcell.NewRGBColor(0x3a, 0x44, 0x4e)
}

// Contrast is the WCAG 2 contrast ratio of two colours, from 1 to 21.
func Contrast(a, b tcell.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c tcell.Color) float64 {
	r, g, b := c.RGB()
	lin := func(v int32) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
