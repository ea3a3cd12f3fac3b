package render

import (
	"bytes"
	"strings"
)

// jsonIndenter pretty-prints JSON as json.Indent does with two spaces, but
// without checking it, and page by page: a page cut out of a large
// document (or a document cut short, or a gzip bomb's first megabyte) is
// indented as far as it goes. Written the bytes before a page, it learns
// where in the document the page starts (how deep, inside a string or
// not), so page 5 is indented as it would be in the whole. Indentation
// stops growing at maxIndent levels, where json.Indent's goes on: a
// document nested a million deep would otherwise be terabytes of spaces.
type jsonIndenter struct {
	depth      int
	inStr, esc bool
	open       bool // the last byte opened an object or array
}

const maxIndent = 20

// Write follows the structure of p without printing it.
func (j *jsonIndenter) Write(p []byte) (int, error) {
	for _, c := range p {
		j.step(c, nil)
	}
	return len(p), nil
}

// indent returns data pretty-printed from where the indenter is.
func (j *jsonIndenter) indent(data []byte) string {
	var b bytes.Buffer
	b.Grow(2 * len(data))
	if !j.open && !j.inStr {
		j.newline(&b) // a page inside the document starts indented (the newline is cut below)
	}
	for _, c := range data {
		j.step(c, &b)
	}
	return strings.TrimPrefix(b.String(), "\n")
}

func (j *jsonIndenter) newline(b *bytes.Buffer) {
	b.WriteByte('\n')
	for range min(j.depth, maxIndent) {
		b.WriteString("  ")
	}
}

// step takes one byte of the document, writing its pretty form to b when
// b is not nil.
func (j *jsonIndenter) step(c byte, b *bytes.Buffer) {
	if j.inStr {
		switch {
		case j.esc:
			j.esc = false
		case c == '\\':
			j.esc = true
		case c == '"':
			j.inStr = false
		}
		if b != nil {
			b.WriteByte(c)
		}
		return
	}
	if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
		return // whitespace between tokens: the indenter puts its own
	}
	wasOpen := j.open
	j.open = false
	switch c {
	case '}', ']':
		j.depth = max(j.depth-1, 0)
		if wasOpen { // {} and [] stay on one line, as json.Indent keeps them
			if b != nil {
				b.WriteByte(c)
			}
			return
		}
		if b != nil {
			j.newline(b)
		}
	default:
		if wasOpen && b != nil {
			j.newline(b)
		}
	}
	if b == nil {
		j.track(c)
		return
	}
	switch c {
	case ':':
		b.WriteString(": ")
	case ',':
		b.WriteByte(',')
		j.newline(b)
	default:
		b.WriteByte(c)
	}
	j.track(c)
}

// track notes what a byte outside strings opens.
func (j *jsonIndenter) track(c byte) {
	switch c {
	case '"':
		j.inStr = true
	case '{', '[':
		j.depth++
		j.open = true
	}
}

// looksJSON reports whether data starts as a JSON object or array does
// (a page cut short of its end is not valid JSON, yet is worth indenting).
func looksJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}
