package render

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/model"
)

// columns are the widths of a flow line's fields; 0 hides a field. The
// path takes what is left.
type columns struct {
	time, method, status, typ, init, host, size, dur, bar int
}

// listColumns fits the fields to the width: the clock goes first, then
// types and initiators shorten, then the initiator goes (below 80
// columns), then the bar.
func listColumns(w int) columns {
	c := columns{time: 12, method: 7, status: 3, typ: 10, init: 10, host: 22, size: 8, dur: 9, bar: 12}
	if w < 130 {
		c.time, c.init = 0, 10
	} else {
		c.init = 12 // room for "html #12345?"
	}
	if w < 100 {
		c.typ, c.init, c.host, c.size, c.bar, c.dur = 5, 7, 13, 7, 6, 8
	}
	if w < 80 {
		c.init, c.host, c.size = 0, 16, 8
	}
	if w < 70 {
		c.bar, c.host, c.typ = 0, 12, 0
	}
	if w < 56 { // the path keeps its room: it tells flows apart, the host less so
		c.host, c.size, c.dur = 0, 0, 7
	}
	return c
}

// shortTypes are the types as they fit a narrow column.
var shortTypes = map[string]string{
	"document": "doc", "stylesheet": "css", "script": "js", "image": "img",
	"websocket": "ws", "media": "media", "fetch": "fetch", "font": "font", "other": "other",
}

// DrawList draws the column header and the visible lines of the list in r.
// Only the lines on screen are touched: a session of 100,000 flows costs
// what a screenful costs.
func DrawList(c Canvas, th *Theme, r Rect, m *model.Model, focused bool) {
	if r.H <= 0 || r.W <= 0 {
		return
	}
	cols := listColumns(r.W)
	indent := map[model.Mode]int{model.ModePages: 2, model.ModeFlat: 0, model.ModeTree: 4}[m.Mode()]
	DrawLine(c, th, r.X, r.Y, r.W, listHeader(cols, r.W, indent), Dim)
	top, n, sel := m.Top(), m.Len(), m.Selected()
	var longest time.Duration
	for i := top; i < n && i < top+r.H-1; i++ {
		if row := m.RowAt(i); row != nil && row.Dur > longest {
			longest = row.Dur
		}
	}
	for y := 1; y < r.H; y++ {
		i := top + y - 1
		var l Line
		switch {
		case i >= n && n == 0 && y == 1:
			l = L(S(Dim, emptyText(m)))
		case i >= n:
			l = nil
		case m.GroupAt(i) != nil:
			l = groupLine(m, i, r.W)
		default:
			it := m.Item(i)
			l = flowLine(th, m, m.RowAt(i), it, cols, r.W, longest)
		}
		if i == sel && i < n {
			drawSelected(c, th, r.X, r.Y+y, r.W, l, focused)
		} else {
			DrawLine(c, th, r.X, r.Y+y, r.W, l, Normal)
		}
	}
}

func emptyText(m *model.Model) string {
	if m.FlowCount() > 0 {
		return fmt.Sprintf("no flow matches the filter %q (Esc clears it)", m.Filter().String())
	}
	return "no flows yet"
}

func drawSelected(c Canvas, th *Theme, x, y, w int, l Line, focused bool) {
	used := 0
	for _, s := range l {
		if used >= w {
			break
		}
		used += Put(c, x+used, y, w-used, s.Text, th.selectStyle(th.Style(s.Role), focused))
	}
	st := th.selectStyle(th.Style(Normal), focused)
	for ; used < w; used++ {
		c.SetContent(x+used, y, ' ', nil, st)
	}
}

func listHeader(c columns, w int, indent int) Line {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", indent))
	field := func(name string, n int, right bool) {
		if n == 0 {
			return
		}
		if right {
			b.WriteString(PadLeft(name, n))
		} else {
			b.WriteString(PadRight(name, n))
		}
		b.WriteByte(' ')
	}
	field("TIME", c.time, false)
	field("METHOD", c.method, false)
	field("ST", c.status, false)
	field("TYPE", c.typ, false)
	field(initHeader(c.init), c.init, false)
	field("HOST", c.host, false)
	tail := tailWidth(c)
	path := w - Width(b.String()) - tail
	field("PATH", path, false)
	field("SIZE", c.size, true)
	field("TIME", c.dur, true)
	if c.bar > 0 {
		b.WriteString(PadRight("PHASES", c.bar))
	}
	return L(S(Dim, b.String()))
}

func tailWidth(c columns) int {
	t := 0
	if c.size > 0 {
		t += c.size + 1
	}
	if c.dur > 0 {
		t += c.dur + 1
	}
	if c.bar > 0 {
		t += c.bar
	}
	return t
}

func flowLine(th *Theme, m *model.Model, r *model.Row, it model.Item, c columns, w int, longest time.Duration) Line {
	indent := it.Depth * 2
	if indent > 8 {
		indent = 8
	}
	var l Line
	add := func(role Role, text string, n int, right bool) {
		if n == 0 {
			return
		}
		if right {
			text = PadLeft(text, n)
		} else {
			text = PadRight(text, n)
		}
		l = append(l, S(role, text), S(Normal, " "))
	}
	note := noteGlyph(r)
	l = append(l, indentSpans(note, indent)...)
	if !r.Start.IsZero() {
		add(Dim, r.Start.Local().Format("15:04:05.000"), c.time, false)
	} else {
		add(Dim, "", c.time, false)
	}
	add(Normal, r.Method, c.method, false)
	add(StatusRole(r.Status, r.Failed()), statusText(r), c.status, false)
	typ := r.Type
	if c.typ < 10 {
		typ = shortTypes[typ]
	}
	add(Dim, typ, c.typ, false)
	add(Dim, initLabel(r, it.Hops, c.init), c.init, false)
	add(Normal, r.Host, c.host, false)
	used := 0
	for _, s := range l {
		used += Width(s.Text)
	}
	path := r.Path
	if note != "" && indent == 0 {
		path = note + " " + path // no indent to hold the mark
	}
	if c.init == 0 && it.Hops > 0 {
		path = foldedLabel(it.Hops, 0) + " " + path // no initiator column to say it
	}
	add(Normal, FitMiddle(path, w-used-tailWidth(c)), w-used-tailWidth(c), false)
	size := Bytes(r.Size)
	if r.Status == 0 && r.Size == 0 {
		size = "-"
	}
	add(Dim, size, c.size, true)
	add(Normal, durText(m, r), c.dur, true)
	if c.bar > 0 {
		l = append(l, inlineBar(th, m, r, c.bar, longest)...)
	}
	return l
}

// durText is the time column: the flow's duration, the live clock of a
// flow in flight, or "never" for one that recording stopped before it
// ended.
func durText(m *model.Model, r *model.Row) string {
	now, live := m.Clock()
	switch {
	case !r.End.IsZero():
		return Dur(r.Dur)
	case live && !r.Start.IsZero() && !now.Before(r.Start):
		return Dur(now.Sub(r.Start)) + "…"
	case !live:
		return "never"
	}
	return "…"
}

// statusText is the status column: the code, ERR for a failure, "..." for
// a flow still waiting (or, in a session no longer recorded, that never
// got an answer).
func statusText(r *model.Row) string {
	switch {
	case r.Failed() && r.Status == 0:
		return "ERR"
	case r.Status > 0:
		return strconv.Itoa(r.Status)
	case r.End.IsZero():
		return "..."
	}
	return "---"
}

// inlineBar draws a flow's phases; its length compares the flow with the
// longest one on screen, its colours show where the time went, as the
// Timing tab and the waterfall count it.
func inlineBar(th *Theme, m *model.Model, r *model.Row, cells int, longest time.Duration) []Span {
	if r.Dur <= 0 || longest <= 0 {
		return nil
	}
	n := int((int64(cells)*int64(r.Dur) + int64(longest) - 1) / int64(longest))
	if n < 1 {
		n = 1
	}
	phases := rowPhases(r, m.Conn(r.ConnID))
	scale := r.Dur / time.Duration(n)
	if scale <= 0 {
		scale = 1
	}
	return barSpans(th, phases, r.Start, scale, n)
}

// groupLine is a group header: marker, title, and its numbers on the right.
func groupLine(m *model.Model, i int, w int) Line {
	g := m.GroupAt(i)
	depth := m.Item(i).Depth
	marker := "▾ "
	if g.Collapsed {
		marker = "▸ "
	}
	title, sub := groupTitle(g)
	right := groupStats(g, m.Filter().Empty())
	lead := strings.Repeat("  ", min(depth, 4)) + marker
	room := w - Width(lead) - Width(right.Text()) - 1
	title = Fit(title, room)
	sub = Fit(sub, room-Width(title)-2)
	l := L(S(GroupLine, lead+title))
	if sub != "" {
		l = append(l, S(Dim, "  "+sub))
	}
	used := Width(l.Text())
	if pad := w - used - Width(right.Text()); pad > 0 {
		l = append(l, S(Normal, strings.Repeat(" ", pad)))
	}
	return append(l, right...)
}

func groupTitle(g *model.Group) (title, sub string) {
	switch g.Kind {
	case model.GroupUnattributed:
		return "unattributed", "requests no page load claimed"
	case model.GroupBrowser:
		return "the browser itself", "its own traffic: no page asked for it"
	case model.GroupClient:
		return "other programs", "requests from outside the browser"
	case model.GroupHost, model.GroupDir:
		return g.Label, ""
	case model.GroupFrame:
		return "frame", g.Page.URL
	}
	if g.Page.ID == 0 {
		return fmt.Sprintf("page %d", g.PageID), "(its record is not read yet)"
	}
	if g.Page.Title != "" {
		return g.Page.Title, g.Page.URL
	}
	return g.Page.URL, ""
}

func groupStats(g *model.Group, all bool) Line {
	count := strconv.Itoa(g.Total)
	if !all {
		count = fmt.Sprintf("%d/%d", g.Shown, g.Total)
	}
	req := "req"
	text := count + " " + req + " · " + Bytes(g.Bytes) + " · " + Dur(g.Span())
	if g.Kind == model.GroupPage || g.Kind == model.GroupFrame {
		text = fmt.Sprintf("#%d · %s", g.PageID, text)
	}
	l := L(S(Dim, text))
	switch {
	case g.Failed > 0:
		l = append(l, S(Dim, " · "), S(StatusFailed, fmt.Sprintf("%d failed", g.Failed)))
	case g.Worst >= 300:
		l = append(l, S(Dim, " · worst "), S(StatusRole(g.Worst, false), strconv.Itoa(g.Worst)))
	}
	return append(l, S(Normal, " "))
}

// indentSpans is a flow line's indent, its first cell holding the note
// glyph when there is one.
func indentSpans(note string, indent int) Line {
	if note != "" && indent > 0 {
		return L(S(WarnText, note), S(Normal, strings.Repeat(" ", indent-1)))
	}
	return L(S(Normal, strings.Repeat(" ", indent)))
}

// noteGlyph marks a flow a person annotated: ★ marked, ✎ with a comment.
func noteGlyph(r *model.Row) string {
	switch {
	case r.Marked:
		return "★"
	case r.Comment != "":
		return "✎"
	}
	return ""
}
