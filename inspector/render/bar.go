package render

import (
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

// selectStyle marks a style as selected while keeping its colour.
func (t *Theme) selectStyle(st tcell.Style, focused bool) tcell.Style {
	if t.Mono {
		if focused {
			return st.Reverse(true)
		}
		return st.Underline(true)
	}
	if fg, _, _ := st.Decompose(); fg == tcell.ColorDefault {
		st = st.Foreground(tcell.ColorWhite)
	}
	if focused {
		return st.Background(tcell.ColorNavy)
	}
	return st.Background(tcell.ColorDimGray)
}
