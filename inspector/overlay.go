package inspector

import (
	"fmt"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/inspector/render"
)

// Screens drawn over the panes: help, the status legend, the proxy's log,
// a page's waterfall, and the session picker. Each is a list of lines that
// the moving keys scroll.

func (a *app) drawOverlay() {
	l, s, th := a.layout, a.screen, a.theme
	b := l.body
	w := b.W - 2
	var title string
	var lines []render.Line
	switch a.overlay {
	case overlayHelp:
		title = "Help"
		lines = render.HelpLines(th, helpEntries(a.keys()), model.FilterSyntax, w)
		note := append(render.Wrap("e E r R c C write into this folder (--export-dir changes it); a name in use gets -2, -3...", w, "", "", render.Dim),
			render.HardWrap(a.exportTo, w, render.Dim)...)
		lines = append(lines[:2:2], append(note, lines[2:]...)...)
	case overlayLegend:
		title = "Status codes"
		lines = render.StatusLegend(w)
	case overlayLog:
		title = "Proxy log"
		for _, line := range a.opts.Logs() {
			lines = append(lines, render.P(render.Sanitize(line)))
		}
	case overlayWaterfall:
		title, lines = a.waterfallLines(w, b.H-1)
	case overlaySessions:
		title, lines = a.sessionLines(w)
	case overlayCompare:
		title, lines = a.compareLines(w)
	}
	head := render.L(render.S(render.Title, " "+title+" "), render.S(render.Dim, " Esc closes · j/k scroll"))
	render.DrawLine(s, th, b.X, b.Y, b.W, head, render.Normal)
	h := b.H - 1
	if a.overlay != overlaySessions {
		a.ovTop = clamp(a.ovTop, 0, max(len(lines)-h, 0))
	}
	if a.overlay == overlayWaterfall {
		_, lines = a.waterfallLines(w, h) // laid out around the clamped top
	}
	for y := 0; y < h; y++ {
		var line render.Line
		i := a.ovTop + y
		if i < len(lines) {
			line = lines[i]
		}
		render.DrawLine(s, th, b.X, b.Y+1+y, b.W, append(render.L(render.S(render.Normal, " ")), line...), render.Normal)
	}
}

func (a *app) waterfallLines(w, h int) (string, []render.Line) {
	pd := a.pageOfSelection()
	if pd == nil {
		return "Waterfall", nil
	}
	pd.Window = windowAround(a.ovTop, max(h, 1))
	title := "Waterfall"
	if p := pd.Group.Page; p.ID != 0 {
		title = fmt.Sprintf("Waterfall of page #%d: %s", p.ID, render.Fit(firstNonEmpty(p.Title, p.URL), w-30))
	}
	return title, render.Waterfall(a.theme, *pd, w)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// sessionLines lists the sessions, the selected one marked; the list is
// short (one line per run of the proxy), so it is drawn whole.
func (a *app) sessionLines(w int) (string, []render.Line) {
	a.ovSel = clamp(a.ovSel, 0, max(len(a.sessions)-1, 0))
	a.ovTop = 0
	out := []render.Line{render.L(render.S(render.Dim, render.PadRight("  ID", 8)+render.PadRight("STARTED", 20)+
		render.PadRight("LENGTH", 22)+render.PadLeft("FLOWS", 8)+render.PadLeft("PAGES", 7)+"  SOURCE"))}
	if len(a.sessions) == 0 {
		out = append(out, render.L(render.S(render.Dim, "  reading…")))
	}
	for i, s := range a.sessions {
		length := s.Length()
		mark := "  "
		if s.ID == a.session.ID {
			mark = "▶ "
		}
		text := mark + render.PadRight(fmt.Sprint(s.ID), 6) + render.PadRight(s.Started.Local().Format("2006-01-02 15:04:05"), 20) +
			render.PadRight(length, 22) + render.PadLeft(fmt.Sprint(s.Flows), 8) + render.PadLeft(fmt.Sprint(s.Pages), 7) + "  " + s.Source
		if a.opts.Live && s.ID == a.liveID {
			text += "  ● recording now"
		}
		role := render.Normal
		if i == a.ovSel {
			role = render.Selected
		}
		out = append(out, render.L(render.S(role, render.PadRight(text, w))))
	}
	return "Sessions: Enter opens, d deletes", out
}
