package render

import (
	"strings"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/store/textsafe"
)

// Canvas is where frames are drawn: a tcell.Screen is one, and tests may
// use any grid.
type Canvas interface {
	SetContent(x, y int, primary rune, combining []rune, style tcell.Style)
}

// Rect is an area of the canvas.
type Rect struct{ X, Y, W, H int }

// Span is a run of text with one role.
type Span struct {
	Text string
	Role Role
}

// Line is one line of the detail pane.
type Line []Span

// S makes a span.
func S(role Role, text string) Span { return Span{Text: text, Role: role} }

// L makes a line.
func L(spans ...Span) Line { return Line(spans) }

// P makes a line of plain text.
func P(text string) Line { return Line{{Text: text}} }

// Blank is an empty line.
var Blank = Line{}

// Text returns the line's text without roles.
func (l Line) Text() string {
	var b strings.Builder
	for _, s := range l {
		b.WriteString(s.Text)
	}
	return b.String()
}

// RuneWidth is how many cells a rune takes: 2 for East Asian wide
// characters and most emoji, 0 for combining marks, 1 otherwise. An
// approximation of Unicode's East Asian Width that covers what shows up in
// titles and URLs without another dependency.
func RuneWidth(r rune) int {
	switch {
	case r < 0x300:
		return 1
	case r >= 0x300 && r <= 0x36F, r >= 0x200B && r <= 0x200F, r == 0xFE0F:
		return 0
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
		r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60,
		r >= 0xFFE0 && r <= 0xFFE6, r >= 0x1F300 && r <= 0x1F64F, r >= 0x1F900 && r <= 0x1F9FF,
		r >= 0x20000 && r <= 0x3FFFD:
		return 2
	}
	return 1
}

// Width is the number of cells s takes.
func Width(s string) int {
	n := 0
	for _, r := range s {
		n += RuneWidth(r)
	}
	return n
}

// Put draws s at (x, y) in at most w cells and returns the cells used.
// Control characters (textsafe's rule: C0, DEL, C1) show as '·' so
// captured bytes cannot move the cursor; the inspector's stand-in is one
// cell wide whatever the control.
func Put(c Canvas, x, y, w int, s string, st tcell.Style) int {
	used := 0
	for _, r := range s {
		if textsafe.Control(r) {
			r = '·'
		}
		rw := RuneWidth(r)
		if rw == 0 {
			continue
		}
		if used+rw > w {
			break
		}
		c.SetContent(x+used, y, r, nil, st)
		used += rw
	}
	return used
}

// DrawLine draws a line's spans from (x, y) and pads it with pad's style
// to w cells: every cell of a row is written each frame, so nothing of
// the previous frame survives.
func DrawLine(c Canvas, th *Theme, x, y, w int, l Line, pad Role) {
	used := 0
	for _, s := range l {
		if used >= w {
			break
		}
		used += Put(c, x+used, y, w-used, s.Text, th.Style(s.Role))
	}
	st := th.Style(pad)
	for ; used < w; used++ {
		c.SetContent(x+used, y, ' ', nil, st)
	}
}

// Fit cuts s to w cells, ending with "…" when it was cut.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		rw := RuneWidth(r)
		if used+rw > w-1 {
			break
		}
		b.WriteRune(r)
		used += rw
	}
	b.WriteRune('…')
	return b.String()
}

// PadRight fits s into exactly w cells, left-aligned.
func PadRight(s string, w int) string {
	s = Fit(s, w)
	if n := Width(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// PadLeft fits s into exactly w cells, right-aligned.
func PadLeft(s string, w int) string {
	s = Fit(s, w)
	if n := Width(s); n < w {
		s = strings.Repeat(" ", w-n) + s
	}
	return s
}

// Wrap breaks text into lines of at most w cells at spaces (a word longer
// than a line is cut), each line starting with indent (after the first
// one's firstIndent). It takes time in proportion to the text: each word's
// width is measured once and each line is built once, so a 600 KB URL
// wraps in milliseconds (issue 15: cutting it from the start again for
// every line took 21 s).
func Wrap(text string, w int, firstIndent, indent string, role Role) []Line {
	var out []Line
	iw := Width(indent)
	var line strings.Builder
	lw, empty := 0, true
	start := func(s string, sw int) { line.Reset(); line.WriteString(s); lw, empty = sw, true }
	flush := func() {
		out = append(out, Line{{Text: line.String(), Role: role}})
		start(indent, iw)
	}
	fw := Width(firstIndent)
	for _, para := range strings.Split(text, "\n") {
		start(firstIndent, fw)
		for _, word := range strings.Fields(para) {
			ww := Width(word)
			for ww > w-iw && w-iw > 0 {
				// A word longer than a line (a URL, a token) is cut.
				if !empty {
					flush()
				}
				head, tail := cutWidth(word, w-lw)
				if head == "" { // an indent as wide as the line: cut one character
					_, size := utf8.DecodeRuneInString(word)
					head, tail = word[:size], word[size:]
				}
				line.WriteString(head)
				flush()
				word, ww = tail, ww-Width(head)
			}
			if !empty && lw+1+ww > w {
				flush()
			}
			if !empty {
				line.WriteByte(' ')
				lw++
			}
			line.WriteString(word)
			lw += ww
			empty = false
		}
		out = append(out, Line{{Text: line.String(), Role: role}})
		fw, firstIndent = iw, indent
	}
	return out
}

// cutWidth splits s after at most w cells.
func cutWidth(s string, w int) (string, string) {
	used := 0
	for i, r := range s {
		rw := RuneWidth(r)
		if used+rw > w {
			return s[:i], s[i:]
		}
		used += rw
	}
	return s, ""
}

// Sanitize replaces tabs with spaces and other control characters
// (textsafe.Control) with '·', for text taken from captured bodies and
// headers.
func Sanitize(s string) string {
	if !strings.ContainsFunc(s, textsafe.Control) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteString("    ")
		case textsafe.Control(r):
			b.WriteRune('·')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// HardWrap cuts text into lines of w cells, keeping every character
// (spaces too): for a path, which word wrapping would change. Each cut
// reads only the line it cuts, so the time is in proportion to the text.
func HardWrap(text string, w int, role Role) []Line {
	var out []Line
	for w > 0 {
		head, tail := cutWidth(text, w)
		if tail == "" || head == "" {
			break // the rest fits, or a character is wider than the line
		}
		out = append(out, Line{{Text: head, Role: role}})
		text = tail
	}
	return append(out, Line{{Text: text, Role: role}})
}
