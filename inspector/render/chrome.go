package render

import (
	"fmt"
	"strings"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

// HeaderInfo is what the top line says.
type HeaderInfo struct {
	Session   store.Session
	Live      bool
	Listen    []string
	Flows     int
	Pages     int
	Shown     int  // flows passing the filter
	Filtered  bool // a filter is in force
	Stats     *store.RecorderStats
	HTTPSSeen bool
	Loading   bool
	Searching string // a scan of the bodies for the filter, as far as it got
}

type headerPart struct {
	prio int // parts with the lowest priority go first when space runs out
	span Span
}

// HeaderLine is the top line: where glassbox listens, which session, how
// much was recorded, lost records, and how to trust the CA while no HTTPS
// has been seen. Less important parts give way on narrow terminals.
func HeaderLine(h HeaderInfo, w int) Line {
	parts := []headerPart{{9, S(Bar, "glassbox")}}
	if h.Live && len(h.Listen) > 0 {
		parts = append(parts, headerPart{3, S(Bar, "live on "+strings.Join(h.Listen, " "))})
	} else if !h.Session.Started.IsZero() {
		parts = append(parts, headerPart{2, S(Bar, "recorded "+h.Session.Started.Local().Format("2006-01-02 15:04"))})
	}
	if h.Session.ID > 0 {
		parts = append(parts, headerPart{8, S(Bar, fmt.Sprintf("session %d", h.Session.ID))})
	}
	counts := fmt.Sprintf("%s · %s", explain.Plural(h.Flows, "flow"), explain.Plural(h.Pages, "page"))
	if h.Filtered {
		counts = fmt.Sprintf("%d of %s · %s", h.Shown, explain.Plural(h.Flows, "flow"), explain.Plural(h.Pages, "page"))
	}
	parts = append(parts, headerPart{7, S(Bar, counts)})
	if s := explain.ShapedShort(h.Session.Network); s != "" {
		parts = append(parts, headerPart{7, S(Bar, s)})
	}
	if h.Loading {
		parts = append(parts, headerPart{6, S(Bar, "loading…")})
	}
	if h.Searching != "" {
		parts = append(parts, headerPart{6, S(Bar, h.Searching)})
	}
	if s := h.Stats; s != nil && (s.Dropped > 0 || s.Failed > 0) {
		parts = append(parts, headerPart{10, S(Bar, fmt.Sprintf("⚠ %d dropped, %d not written", s.Dropped, s.Failed))})
	}
	if h.Live && !h.HTTPSSeen && len(h.Listen) > 0 {
		parts = append(parts, headerPart{9, S(Bar, "no HTTPS yet: open http://"+h.Listen[0]+"/ to trust the CA")})
	}
	for lineWidth(parts) > w && len(parts) > 1 {
		drop := 0
		for i, p := range parts {
			if p.prio < parts[drop].prio {
				drop = i
			}
		}
		parts = append(parts[:drop], parts[drop+1:]...)
	}
	l := L(S(Bar, " "))
	for i, p := range parts {
		if i > 0 {
			l = append(l, S(Bar, " │ "))
		}
		l = append(l, p.span)
	}
	return l
}

func lineWidth(parts []headerPart) int {
	n := 1
	for i, p := range parts {
		if i > 0 {
			n += 3
		}
		n += Width(p.span.Text)
	}
	return n
}

// TabBar is the line above the detail pane: the tabs, the active one
// marked, and what the pane shows on the right.
func TabBar(tabs []string, active int, title string, focused bool, w int) Line {
	l := L(S(Border, "─"))
	for i, t := range tabs {
		role := TabInactive
		if i == active {
			role = TabActive
			if !focused {
				role = Bold
			}
		}
		l = append(l, S(role, fmt.Sprintf(" %d %s ", i+1, t)))
	}
	used := Width(l.Text())
	title = Fit(title, w-used-4)
	if fill := w - used - Width(title) - 3; fill > 0 {
		l = append(l, S(Border, strings.Repeat("─", fill)))
	}
	if title != "" {
		l = append(l, S(Dim, " "+title+" "))
	}
	return append(l, S(Border, "─"))
}

// KeyHint is a key and what it does, for the footer.
type KeyHint struct {
	Keys string
	Name string
}

// Footer lists the keys that matter now, as many as fit.
func Footer(hints []KeyHint, w int) Line {
	var l Line
	used := 0
	for _, h := range hints {
		n := Width(h.Keys) + Width(h.Name) + 4
		if used+n > w {
			break
		}
		l = append(l, S(FooterKey, " "+h.Keys+" "), S(FooterText, " "+h.Name+" "))
		used += n
	}
	return l
}

// HelpEntry is one line of the key table.
type HelpEntry struct {
	Context string
	Keys    string
	Help    string
}

// HelpLines is the help screen: the keys by context, the filter
// language, the status classes and the phases.
func HelpLines(th *Theme, entries []HelpEntry, filterSyntax [][2]string, w int) []Line {
	out := []Line{L(S(Bold, "glassbox inspector: keys and words")), L(S(Dim, "Esc or ? closes this screen; j/k scroll it")), Blank}
	var contexts []string
	by := map[string][]HelpEntry{}
	for _, e := range entries {
		if by[e.Context] == nil {
			contexts = append(contexts, e.Context)
		}
		by[e.Context] = append(by[e.Context], e)
	}
	for _, c := range contexts {
		out = append(out, L(S(Title, c)))
		for _, e := range by[c] {
			out = append(out, Wrap(e.Help, w, "  "+PadRight(e.Keys, 16)+" ", strings.Repeat(" ", 19), Normal)...)
		}
		out = append(out, Blank)
	}
	out = append(out, L(S(Title, "Filter language (/)")))
	for _, s := range filterSyntax {
		out = append(out, Wrap(s[1], w, "  "+PadRight(s[0], 16)+" ", strings.Repeat(" ", 19), Normal)...)
	}
	out = append(out, Blank)
	out = append(out, StatusLegend(w)...)
	out = append(out, Blank, L(S(Title, "Phases of a request")), Legend(th))
	for _, p := range store.TimingPhases {
		out = append(out, Wrap(phaseText(p.Name), w, "  "+PadRight(p.Label, 9)+" ", strings.Repeat(" ", 12), Normal)...)
	}
	return out
}

// StatusLegend explains the five status classes and then every registered
// code in one line: the first sentence of what it means.
func StatusLegend(w int) []Line {
	out := []Line{L(S(Title, "Status codes: the first digit is the class"))}
	for i, c := range StatusClasses() {
		role := StatusRole((i+1)*100, false)
		out = append(out, L(S(role, "  "+c.Name)))
		out = append(out, Wrap(c.Meaning, w, "      ", "      ", Normal)...)
	}
	out = append(out, Blank, L(S(Title, "Every code, in one line")))
	for _, st := range explain.StatusCodes() {
		head := fmt.Sprintf("  %d %s: ", st.Code, st.Reason)
		l := Wrap(head+explain.FirstSentence(st.Meaning), w, "", "        ", Normal)
		if len(l) > 0 && len(l[0]) > 0 {
			l[0][0].Role = StatusRole(st.Code, false)
		}
		out = append(out, l...)
	}
	return out
}
