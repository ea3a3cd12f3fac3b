package refs

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
)

// CSS returns what a stylesheet references, resolved against its URL:
// @import rules (stylesheets) and every url() (fonts inside @font-face,
// images elsewhere). body is the decoded stylesheet; at most MaxInput bytes
// of it are read.
func CSS(sheetURL string, body []byte) []Ref {
	if len(body) > MaxInput {
		body = body[:MaxInput]
	}
	c := newCollector(sheetURL)
	c.css(body, true)
	return c.out
}

// css reads CSS tokens for references. A style attribute or <style> block
// is read the same way; atRules is false for a style attribute, which holds
// declarations only.
func (c *collector) css(src []byte, atRules bool) {
	// The lexer wants spare capacity for its terminating NUL; copy so the
	// caller's bytes are never written.
	in := make([]byte, len(src), len(src)+1)
	copy(in, src)
	l := css.NewLexer(parse.NewInputBytes(in))
	depth, fontDepth := 0, -1 // fontDepth: the depth of an @font-face block, -1 outside
	importing, fontFace := false, false
	for !c.full() {
		tt, data := l.Next()
		switch tt {
		case css.ErrorToken:
			return
		case css.AtKeywordToken:
			at := strings.ToLower(string(data))
			importing, fontFace = at == "@import", at == "@font-face"
		case css.StringToken:
			if importing {
				c.add(cssString(data), Stylesheet, "")
				importing = false
			}
		case css.URLToken:
			kind := Image
			switch {
			case importing:
				kind, importing = Stylesheet, false
			case fontDepth >= 0 && depth >= fontDepth:
				kind = Font
			}
			c.add(cssURL(data), kind, "")
		case css.LeftBraceToken:
			depth++
			if fontFace {
				fontDepth, fontFace = depth, false
			}
		case css.RightBraceToken:
			if depth == fontDepth {
				fontDepth = -1
			}
			depth = max(depth-1, 0)
		case css.SemicolonToken:
			importing = false
		}
	}
}

// cssURL reads the URL inside a url(...) token: unquoted or quoted, with
// CSS escapes undone (CSS Syntax §4.3.6).
func cssURL(tok []byte) string {
	s := string(tok)
	if len(s) >= 4 && strings.EqualFold(s[:4], "url(") {
		s = s[4:]
	}
	s = strings.TrimSpace(strings.TrimSuffix(s, ")"))
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') {
		return cssString([]byte(s))
	}
	return cssUnescape(s)
}

// cssString reads a quoted CSS string token.
func cssString(tok []byte) string {
	s := string(tok)
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	}
	return cssUnescape(s)
}

// cssUnescape undoes backslash escapes: a backslash and up to six hex
// digits (and one whitespace after them) is that code point; a backslash
// and a newline is nothing; a backslash and anything else is that thing.
func cssUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		j := i + 1
		for j < len(s) && j < i+7 && isHex(s[j]) {
			j++
		}
		if j == i+1 {
			if s[j] != '\n' {
				b.WriteByte(s[j])
			}
			i = j
			continue
		}
		n, _ := strconv.ParseUint(s[i+1:j], 16, 32)
		r := rune(n)
		if r == 0 || !utf8.ValidRune(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
		if j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n') {
			j++
		}
		i = j - 1
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
