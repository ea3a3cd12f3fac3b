// Package render draws the inspector: pure functions from the model's
// state and the loaded records to cells on a Canvas, and to styled lines
// of text for the detail tabs. It never waits on anything and never keeps
// state between frames, so a frame can be drawn from any state and tested
// without a terminal; the inspector package owns the screen and the loop.
//
// Text carries roles (a status class, a phase, a key) instead of colours;
// a Theme maps roles to styles, colours when the terminal has them and
// bold, underline and reverse when it does not (NO_COLOR, dumb terminals).
package render

import (
	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/store"
)

// Role is what a piece of text is, for the Theme to style.
type Role uint8

// Roles.
const (
	Normal Role = iota
	Dim
	Bold
	Title      // section titles in the detail pane
	Bar        // the header line
	FooterKey  // a key in the footer
	FooterText // its description
	Selected   // the selected list line, focused pane
	SelectedBlur
	GroupLine // a page-load header line
	TabActive
	TabInactive
	Border
	ErrorText
	WarnText
	GoodText
	Status1xx
	Status2xx
	Status3xx
	Status4xx
	Status5xx
	StatusFailed
	PhaseBlocked
	PhaseDNS
	PhaseConnect
	PhaseSSL
	PhaseSend
	PhaseWait
	PhaseReceive
	Input // the filter line being edited
	roleCount
)

// Theme maps roles to styles.
type Theme struct {
	// Mono is set when the terminal shows no colours: phases then draw
	// with distinct characters instead.
	Mono   bool
	styles [roleCount]tcell.Style
}

// NewTheme picks colours when the terminal has at least 8 and NO_COLOR is
// not set (noColor), and attributes only otherwise.
func NewTheme(colors int, noColor bool) *Theme {
	if noColor || colors < 8 {
		return monoTheme()
	}
	return colorTheme()
}

// Style returns a role's style.
func (t *Theme) Style(r Role) tcell.Style { return t.styles[r] }

func colorTheme() *Theme {
	d := tcell.StyleDefault
	t := &Theme{}
	s := &t.styles
	s[Normal] = d
	s[Dim] = d.Foreground(tcell.ColorGray)
	s[Bold] = d.Bold(true)
	s[Title] = d.Bold(true).Foreground(tcell.ColorTeal)
	s[Bar] = d.Background(tcell.ColorNavy).Foreground(tcell.ColorWhite)
	s[FooterKey] = d.Background(tcell.ColorTeal).Foreground(tcell.ColorBlack)
	s[FooterText] = d
	s[Selected] = d.Background(SelectionBackground(true)).Foreground(tcell.ColorWhite).Bold(true)
	s[SelectedBlur] = d.Background(SelectionBackground(false)).Foreground(tcell.ColorWhite)
	s[GroupLine] = d.Bold(true)
	s[TabActive] = d.Background(tcell.ColorTeal).Foreground(tcell.ColorBlack).Bold(true)
	s[TabInactive] = d.Foreground(tcell.ColorGray)
	s[Border] = d.Foreground(tcell.ColorGray)
	s[ErrorText] = d.Foreground(tcell.ColorRed).Bold(true)
	s[WarnText] = d.Foreground(tcell.ColorYellow)
	s[GoodText] = d.Foreground(tcell.ColorGreen)
	s[Status1xx] = d.Foreground(tcell.ColorBlue)
	s[Status2xx] = d.Foreground(tcell.ColorGreen)
	s[Status3xx] = d.Foreground(tcell.ColorTeal)
	s[Status4xx] = d.Foreground(tcell.ColorYellow)
	s[Status5xx] = d.Foreground(tcell.ColorRed)
	s[StatusFailed] = d.Foreground(tcell.ColorRed).Bold(true)
	for i, p := range store.TimingPhases { // the same colours as the HTML report
		s[phaseRoles[i]] = d.Foreground(tcell.GetColor(p.Color))
	}
	s[Input] = d.Underline(true)
	return t
}

func monoTheme() *Theme {
	d := tcell.StyleDefault
	t := &Theme{Mono: true}
	s := &t.styles
	for i := range s {
		s[i] = d
	}
	s[Dim] = d.Dim(true)
	s[Bold] = d.Bold(true)
	s[Title] = d.Bold(true).Underline(true)
	s[Bar] = d.Reverse(true)
	s[FooterKey] = d.Reverse(true)
	s[Selected] = d.Reverse(true)
	s[SelectedBlur] = d.Underline(true)
	s[GroupLine] = d.Bold(true)
	s[TabActive] = d.Reverse(true)
	s[TabInactive] = d.Dim(true)
	s[Border] = d.Dim(true)
	s[ErrorText] = d.Bold(true).Reverse(true)
	s[WarnText] = d.Bold(true)
	s[Status4xx] = d.Bold(true)
	s[Status5xx] = d.Bold(true).Underline(true)
	s[StatusFailed] = d.Reverse(true)
	s[Input] = d.Underline(true)
	return t
}

// StatusRole is the role of a status code, by class; 0 with failed set is
// a flow that got no response.
func StatusRole(status int, failed bool) Role {
	switch {
	case failed:
		return StatusFailed
	case status >= 500:
		return Status5xx
	case status >= 400:
		return Status4xx
	case status >= 300:
		return Status3xx
	case status >= 200:
		return Status2xx
	case status >= 100:
		return Status1xx
	}
	return Dim
}
