package export

// Quoting for POSIX shells. A curl script is run as a file by sh (dash on
// Debian), bash or zsh, and pasted into interactive shells, so what it
// holds must mean the same to all of them. Only POSIX quoting is used:
// single quotes, inside which nothing is special. Bash's $'...' is not
// POSIX; dash reads $'a\'b' as "$a\b" and then runs what follows the
// second quote, which is how a page's POST body once ran commands. Text
// that has control characters (a tab would trigger completion when
// pasted, a carriage return would end the line, an ESC would reach the
// terminal) is written as printf octal escapes instead, which every
// shell's printf reads the same (POSIX printf, "\ddd").

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/glassbox-dev/glassbox/store/textsafe"
)

// shellWord is s as one shell word that every POSIX shell reads back as s:
// bare when only safe characters, single-quoted when printable, and else
// the output of printf with octal escapes, "$(printf '...')". That last
// form cannot carry a NUL (no argument can) nor trailing newlines (command
// substitution removes them): callers give it neither (urlArg and
// fieldValue take them out; bodies go through printfCommand).
func shellWord(s string) string {
	switch {
	case s != "" && s[0] != '=' && !strings.ContainsFunc(s, func(r rune) bool { return !bareRune(r) }):
		// Not at the start: zsh reads a word "=cmd" as the path of cmd
		// (its EQUALS option, on by default).
		return s
	case textsafe.IsLine(s):
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return `"$(` + printfCommand([]byte(s)) + `)"`
}

// bareRune reports whether r needs no quoting in any shell, anywhere in a
// word.
func bareRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r)
}

// printfCommand is a printf command that writes data exactly, NUL bytes
// and trailing newlines included: printf 'FORMAT', with no argument.
func printfCommand(data []byte) string {
	return "printf '" + printfFormat(data) + "'"
}

// printfFormat writes data as a printf format of printable ASCII and
// UTF-8 text: % as %%, backslash as \\, newline, tab and carriage return
// as \n, \t and \r, and every other byte that is not printable text (a
// control, C1, a byte that is not UTF-8), the quote, ! (history expansion
// when pasted into an interactive bash) and a leading - (printf would take
// it for an option) as a three-digit octal escape. Three digits always, so
// a digit after an escape is never read as part of it.
func printfFormat(data []byte) string {
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for i := 0; i < len(data); {
		c := data[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(data[i:])
			if (r != utf8.RuneError || size > 1) && !textsafe.Control(r) {
				b.Write(data[i : i+size])
			} else {
				for _, c := range data[i : i+size] {
					fmt.Fprintf(&b, `\%03o`, c)
				}
			}
			i += size
			continue
		}
		switch {
		case c == '%':
			b.WriteString("%%")
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20 || c == 0x7f || c == '\'' || c == '!' || (c == '-' && i == 0):
			fmt.Fprintf(&b, `\%03o`, c)
		default:
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

// quotableBody reports whether a request body can be one single-quoted
// argument of --data-binary: one line of printable text (textsafe's rule)
// that does not start with @, which curl reads as the name of a file to
// send instead (a page could name the user's SSH key).
func quotableBody(body []byte) bool {
	return body[0] != '@' && textsafe.IsLine(body)
}

// urlArg is a URL as curl should be given it: the bytes an HTTP request
// line cannot carry raw (controls, DEL, C1, bytes that are not UTF-8)
// percent-encoded, as a browser sends them (RFC 3986 §2.1).
func urlArg(u string) string {
	if textsafe.IsLine(u) {
		return u
	}
	var b strings.Builder
	for i := 0; i < len(u); {
		r, size := utf8.DecodeRuneInString(u[i:])
		if textsafe.Control(r) || r == utf8.RuneError && size == 1 {
			for _, c := range []byte(u[i : i+size]) {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		} else {
			b.WriteString(u[i : i+size])
		}
		i += size
	}
	return b.String()
}

// fieldValue is a header value with CR, LF and NUL replaced by spaces, as
// RFC 9110 §5.5 lets a recipient do: no field value can carry them, and
// curl would send a CR LF as the end of the field.
func fieldValue(v string) string {
	if !strings.ContainsAny(v, "\r\n\x00") {
		return v
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == 0 {
			return ' '
		}
		return r
	}, v)
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2): a method or
// a field name.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
