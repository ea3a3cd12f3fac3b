package inspector

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/render"
)

// layout is where each part of the screen goes this frame.
type layout struct {
	w, h                                     int
	header, body, list, tabs, detail, status render.Rect
	footer                                   render.Rect
	side                                     bool // list and detail side by side
}

// minW and minH are the smallest terminal the inspector draws in.
const minW, minH = 40, 10

// sideBySide is the width from which list and detail sit side by side
// (two panes of 80 columns); below it the detail goes under the list.
const sideBySide = 160

func (a *app) computeLayout() {
	w, h := a.screen.Size()
	l := layout{w: w, h: h}
	n := max(len(a.statusLines(w)), 1)
	l.header = render.Rect{W: w, H: 1}
	l.status = render.Rect{Y: h - 1 - n, W: w, H: n}
	l.footer = render.Rect{Y: h - 1, W: w, H: 1}
	b := render.Rect{Y: 1, W: w, H: h - 2 - n}
	l.body = b
	switch {
	case a.zoom && a.focus == focusList:
		l.list = b
	case a.zoom:
		l.tabs = render.Rect{X: b.X, Y: b.Y, W: b.W, H: 1}
		l.detail = render.Rect{X: b.X, Y: b.Y + 1, W: b.W, H: b.H - 1}
	case w >= sideBySide:
		lw := w * 55 / 100
		l.side = true
		l.list = render.Rect{Y: b.Y, W: lw, H: b.H}
		l.tabs = render.Rect{X: lw + 1, Y: b.Y, W: w - lw - 1, H: 1}
		l.detail = render.Rect{X: lw + 1, Y: b.Y + 1, W: w - lw - 1, H: b.H - 1}
	default:
		lh := max(b.H*45/100, 5)
		l.list = render.Rect{Y: b.Y, W: w, H: lh}
		l.tabs = render.Rect{Y: b.Y + lh, W: w, H: 1}
		l.detail = render.Rect{Y: b.Y + lh + 1, W: w, H: b.H - lh - 1}
	}
	a.layout = l
}

// draw paints a whole frame. Every cell of every row is written, so no
// part of an earlier frame can survive a resize or a shorter line.
func (a *app) draw() {
	a.dirty = false
	a.computeLayout()
	l, s, th := a.layout, a.screen, a.theme
	if l.w < minW || l.h < minH {
		s.Clear()
		render.Put(s, 0, 0, l.w, fmt.Sprintf("glassbox needs %dx%d", minW, minH), th.Style(render.Bold))
		s.Show()
		return
	}
	if l.list.H > 1 {
		a.m.SetHeight(l.list.H - 1)
	}
	a.syncDetail()
	render.DrawLine(s, th, 0, 0, l.w, render.HeaderLine(a.headerInfo(), l.w), render.Bar)
	if l.list.H > 0 {
		a.m.SetClock(a.now(), a.isLive())
		render.DrawList(s, th, l.list, a.m, a.focus == focusList)
	}
	if l.side {
		for y := l.body.Y; y < l.body.Y+l.body.H; y++ {
			s.SetContent(l.list.W, y, '│', nil, th.Style(render.Border))
		}
	}
	if l.tabs.H > 0 {
		a.drawDetail()
	}
	a.drawStatus()
	render.DrawLine(s, th, 0, l.footer.Y, l.w, render.Footer(a.footerHints(), l.w), render.FooterText)
	if a.overlay != overlayNone {
		a.drawOverlay()
	}
	s.Show()
}

func (a *app) headerInfo() render.HeaderInfo {
	return render.HeaderInfo{
		Session: a.session, Live: a.isLive(), Listen: a.opts.Listen,
		Flows: a.m.FlowCount(), Pages: a.m.PageCount(), Shown: a.m.Shown(), Filtered: !a.m.Filter().Empty(),
		Stats: a.stats, HTTPSSeen: a.m.HTTPSSeen(), Loading: !a.load.first, Searching: a.scanProgress(),
	}
}

func (a *app) drawDetail() {
	l, s, th := a.layout, a.screen, a.theme
	lines := a.detailLines(l.detail.W)
	h := l.detail.H
	a.detail.top = clamp(a.detail.top, 0, max(len(lines)-h, 0))
	lines = a.detailLines(l.detail.W) // the clamped top may show another window of a waterfall
	title := a.detailTitle()
	if len(lines) > h {
		title += fmt.Sprintf(" · lines %d-%d of %d", a.detail.top+1, a.detail.top+h, len(lines))
	}
	render.DrawLine(s, th, l.tabs.X, l.tabs.Y, l.tabs.W, render.TabBar(a.tabs(), a.curTab(), title, a.focus == focusDetail, l.tabs.W), render.Normal)
	for y := 0; y < h; y++ {
		var line render.Line
		if i := a.detail.top + y; i < len(lines) {
			line = lines[i]
		}
		render.DrawLine(s, th, l.detail.X, l.detail.Y+y, l.detail.W, line, render.Normal)
	}
}

// detailTitle names what the detail pane shows.
func (a *app) detailTitle() string {
	i := a.m.Selected()
	if r := a.m.RowAt(i); r != nil {
		return fmt.Sprintf("flow #%d", r.ID)
	}
	if g := a.m.GroupAt(i); g != nil {
		if g.PageID > 0 {
			return fmt.Sprintf("page #%d", g.PageID)
		}
		return g.Key
	}
	return ""
}

func (a *app) drawStatus() {
	l, s, th := a.layout, a.screen, a.theme
	var line render.Line
	s.HideCursor()
	switch {
	case a.editing:
		prompt := "/"
		if a.editWhat == editComment {
			prompt = "comment on " + a.commentWhat + ": "
		}
		line = render.L(render.S(render.Bold, prompt), render.S(render.Input, string(a.input)))
		s.ShowCursor(min(render.Width(prompt)+render.Width(string(a.input)), l.w-1), l.status.Y)
		if a.filterErr != "" {
			line = append(line, render.S(render.Normal, "  "), render.S(render.ErrorText, "✗ "+a.filterErr))
		}
	case a.confirm != nil || a.msg != "":
		for i, line := range a.statusLines(l.w) {
			render.DrawLine(s, th, 0, l.status.Y+i, l.w, line, render.Normal)
		}
		return
	default:
		line = a.summaryLine()
	}
	render.DrawLine(s, th, 0, l.status.Y, l.w, line, render.Normal)
}

// maxStatusLines bounds the lines a message takes from the panes.
const maxStatusLines = 4

// statusLines are the lines of the message on the status line: one when
// it fits, else wrapped; what follows a newline (an export's path) starts
// a line and is cut only at the edge, spaces kept, so a file's full path
// shows at any width (issue 19). None when
// no message is shown.
func (a *app) statusLines(w int) []render.Line {
	msg, role := a.msg, a.msgRole
	if a.confirm != nil {
		msg, role = a.confirm.question+" [y/n]", render.WarnText // a question is read whole, at any width
	}
	if a.editing || msg == "" {
		return nil
	}
	if one := strings.ReplaceAll(msg, "\n", " "); render.Width(one) <= w {
		return []render.Line{render.L(render.S(role, one))}
	}
	head, path, _ := strings.Cut(msg, "\n")
	lines := render.Wrap(head, w, "", "", role)
	if path != "" {
		lines = append(lines, render.HardWrap(path, w, role)...)
	}
	if len(lines) > maxStatusLines {
		lines = lines[len(lines)-maxStatusLines:] // the end names the file
	}
	return lines
}

// summaryLine is the status line at rest: mode, sort, filter, and the
// proxy's last log line in live mode.
func (a *app) summaryLine() render.Line {
	parts := []string{a.m.Mode().String(), "sorted by " + a.sortText()}
	if !a.m.Filter().Empty() {
		parts = append(parts, "filter: "+a.m.Filter().String())
	}
	if a.m.FoldChains() {
		parts = append(parts, "redirect chains folded")
	}
	if a.follow {
		parts = append(parts, "following")
	}
	line := render.L(render.S(render.Dim, strings.Join(parts, " · ")))
	if a.opts.Logs != nil && a.isLive() {
		if logs := a.opts.Logs(); len(logs) > 0 {
			line = append(line, render.S(render.Dim, " │ "+logs[len(logs)-1]))
		}
	}
	return line
}

func clamp(v, lo, hi int) int {
	return min(max(v, lo), hi)
}

// onMouse: a click selects and focuses, the wheel scrolls what is under
// the pointer. Only the press of a button acts, not holding it.
func (a *app) onMouse(ev *tcell.EventMouse) {
	x, y := ev.Position()
	btn := ev.Buttons()
	l := a.layout
	in := func(r render.Rect) bool { return x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H }
	switch {
	case btn&tcell.WheelUp != 0, btn&tcell.WheelDown != 0:
		d := 3
		if btn&tcell.WheelUp != 0 {
			d = -3
		}
		switch {
		case a.overlay != overlayNone:
			a.ovTop += d
		case in(l.list):
			a.m.Scroll(d)
		case in(l.detail):
			a.detail.top += d
		}
	case btn&tcell.Button1 != 0 && !a.pressed:
		a.pressed = true
		a.click(x, y, in)
	case btn&tcell.Button1 == 0:
		a.pressed = false
	}
}

func (a *app) click(x, y int, in func(render.Rect) bool) {
	l := a.layout
	switch {
	case a.overlay == overlaySessions:
		a.ovSel = y - l.body.Y - 2
	case a.overlay != overlayNone:
	case in(l.list) && y > l.list.Y:
		i := a.m.Top() + y - l.list.Y - 1
		if i < a.m.Len() {
			a.m.Select(i)
			a.follow = false
		}
		a.focus = focusList
	case in(l.tabs):
		pos := l.tabs.X + 1
		for i, t := range a.tabs() {
			w := render.Width(fmt.Sprintf(" %d %s ", i+1, t))
			if x >= pos && x < pos+w {
				a.setTab(i)
			}
			pos += w
		}
		a.focus = focusDetail
	case in(l.detail):
		a.focus = focusDetail
	}
}
