// Package textsafe is the one rule for captured text written for people:
// report files and the terminal, curl scripts' comments, log lines, the
// session list, import messages. A page or a HAR file chooses that text
// (a title, a URL, a header, a file name), and a terminal acts on the
// control characters in it: ESC starts sequences that clear the screen,
// move the cursor, set the title or write the clipboard (OSC 52), and so do
// the C1 controls (U+009B is CSI, U+009D is OSC) in terminals that honour
// them, as UTF-8 or as raw bytes.
//
// The rule: C0 controls (U+0000-U+001F), DEL (U+007F) and C1 controls
// (U+0080-U+009F) are never written; each is shown as a visible stand-in
// (Picture). A byte that is not UTF-8 (the raw 0x80-0x9F among them) is
// shown as U+FFFD. Line keeps nothing else; Text keeps tab and newline,
// which reports need. Everything else passes unchanged, and clean text (the
// common case) is returned without a copy.
//
// JSON is the lossless form of the same rule for JSON documents (HAR),
// whose readers need the exact text back: DEL and C1 written as \u escapes.
//
// The inspector draws with its own stand-in ('·', one cell) but asks
// Control which characters need one, so the rule is the same.
//
// The package imports only the standard library, so store and every writer
// may use it.
package textsafe

import (
	"io"
	"unicode/utf8"
)

// Control reports whether r is a control character a terminal may act on:
// C0, DEL or C1.
func Control(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f)
}

// Picture is the visible stand-in of a control character: the Unicode
// Control Pictures for C0 (U+2400-U+241F, "␛" for ESC) and DEL (U+2421),
// and U+FFFD for C1, which has no pictures. Other runes are their own.
func Picture(r rune) rune {
	switch {
	case r < 0x20:
		return 0x2400 + r
	case r == 0x7f:
		return 0x2421
	case r >= 0x80 && r <= 0x9f:
		return utf8.RuneError
	}
	return r
}

// Line returns s as one line: every control, tab and newline included,
// shown by its Picture; bytes that are not UTF-8 shown as U+FFFD.
func Line(s string) string {
	if clean(s, false) {
		return s
	}
	return string(appendSafe(make([]byte, 0, len(s)+8), s, false))
}

// Text is Line for text of several lines: tab and newline are kept.
func Text(s string) string {
	if clean(s, true) {
		return s
	}
	return string(appendSafe(make([]byte, 0, len(s)+8), s, true))
}

// IsLine reports whether Line would return s unchanged: one line of
// printable UTF-8 text.
func IsLine[T ~string | ~[]byte](s T) bool { return clean(s, false) }

// AppendLine appends Line(s) to dst without an intermediate string.
func AppendLine[T ~string | ~[]byte](dst []byte, s T) []byte {
	return appendSafe(dst, s, false)
}

// clean reports whether s passes the rule unchanged.
func clean[T ~string | ~[]byte](s T, multiline bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && !(multiline && (c == '\n' || c == '\t')) || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := decode(s[i:])
		if r == utf8.RuneError && size == 1 || Control(r) {
			return false
		}
		i += size
	}
	return true
}

// appendSafe appends s to dst under the rule; multiline keeps tab and
// newline.
func appendSafe[T ~string | ~[]byte](dst []byte, s T, multiline bool) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && !(multiline && (c == '\n' || c == '\t')) || c == 0x7f {
				dst = utf8.AppendRune(dst, Picture(rune(c)))
			} else {
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := decode(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		case Control(r):
			dst = utf8.AppendRune(dst, Picture(r))
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// decode is utf8.DecodeRune for strings and byte slices alike, without
// converting (and so copying) either.
func decode[T ~string | ~[]byte](s T) (rune, int) {
	var buf [utf8.UTFMax]byte
	n := copy(buf[:], s)
	return utf8.DecodeRune(buf[:n])
}

// JSON escapes DEL and C1 in JSON text as \u007f and \u0080-\u009f, which
// read back as the same characters (RFC 8259 §7): encoding/json escapes C0
// but writes DEL and C1 raw. The JSON must be valid UTF-8 (encoding/json's
// is): in it, C1 can only be the two bytes 0xC2 0x80-0x9F, inside a string.
// b is returned as it is when it holds neither.
func JSON(b []byte) []byte {
	i := firstJSONControl(b)
	if i < 0 {
		return b
	}
	const hex = "0123456789abcdef"
	out := make([]byte, 0, len(b)+16)
	for {
		out = append(out, b[:i]...)
		c := b[i]
		size := 1
		if c == 0xc2 {
			c, size = b[i+1], 2
		}
		out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		b = b[i+size:]
		if i = firstJSONControl(b); i < 0 {
			return append(out, b...)
		}
	}
}

// firstJSONControl is the index of the first DEL or C1 in b, or -1.
func firstJSONControl(b []byte) int {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == 0x7f:
			return i
		case c == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f:
			return i
		}
	}
	return -1
}

// Writer applies Text to everything written through it: reports go to a
// terminal as often as to a file. A character split across two writes is
// held until the next; Close writes what is held (a cut character shows as
// U+FFFD) but does not close the underlying writer.
type Writer struct {
	w    io.Writer
	held []byte // the start of a character cut by the end of a write
	buf  []byte
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write implements io.Writer; it reports len(p) when everything was
// written, as the shown form may be longer than p.
func (sw *Writer) Write(p []byte) (int, error) {
	data := p
	if len(sw.held) > 0 {
		data = append(sw.held, p...)
		sw.held = nil
	}
	if cut := incompleteTail(data); cut < len(data) {
		sw.held = append([]byte(nil), data[cut:]...)
		data = data[:cut]
	}
	if clean(data, true) {
		if _, err := sw.w.Write(data); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	sw.buf = appendSafe(sw.buf[:0], data, true)
	if _, err := sw.w.Write(sw.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close writes a held partial character, as U+FFFD.
func (sw *Writer) Close() error {
	if len(sw.held) == 0 {
		return nil
	}
	held := sw.held
	sw.held = nil
	_, err := sw.w.Write(appendSafe(nil, held, true))
	return err
}

// WholeRunes is b without the UTF-8 character its end cuts short, if it
// does: text kept up to a byte count (a message's first KiB) ends where
// a character ends.
func WholeRunes(b []byte) []byte { return b[:incompleteTail(b)] }

// incompleteTail is where a UTF-8 character that the end of b cuts short
// begins, or len(b) when none is.
func incompleteTail(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}
