package render

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif" // image.DecodeConfig reads the sizes of GIF,
	_ "image/jpeg"
	_ "image/png" // JPEG and PNG images
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec"
)

// Limits of what the body tab shows: a screen is not an editor, and a
// multi-megabyte body must not slow the frame down.
const (
	maxBodyLines = 2000
	maxHexBytes  = 4096
	maxDecoded   = 8 << 20
)

// bodyTab shows the request body (when there is one) and the response
// body: decoded, pretty-printed when it is JSON, as text when it is text,
// described when it is an image, as hex otherwise.
func bodyTab(d FlowDetail, w int) []Line {
	f := d.Flow
	out := flowTitle(f, w)
	if f.ReqBody.Size > 0 {
		out = append(out, L(S(Title, "Request body")))
		out = append(out, bodyLines(f.ReqBody, f.ReqHeaders, w)...)
		out = append(out, Blank)
	}
	out = append(out, L(S(Title, "Response body")))
	if f.Status == 0 {
		return append(out, L(S(Dim, "  no response")))
	}
	return append(out, bodyLines(f.RespBody, f.RespHeaders, w)...)
}

// bodySummary is the one-paragraph version for the Request and Response
// tabs.
func bodySummary(b store.Body, ctype, whose string) []Line {
	if b.Size == 0 {
		return []Line{L(S(Dim, "  "+whose+" had no body"))}
	}
	s := "  " + Bytes(b.Size)
	if ctype != "" {
		s += " of " + ctype
	}
	if b.Truncated {
		s += fmt.Sprintf(" (glassbox stored the first %s)", Bytes(int64(len(b.Data))))
	}
	return []Line{P(s + ": see the Body tab")}
}

func bodyLines(b store.Body, h store.Headers, w int) []Line {
	ctype := h.Get("Content-Type")
	enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding")))
	head := []string{Bytes(b.Size)}
	if ctype != "" {
		head = append(head, ctype)
	}
	if enc != "" && enc != "identity" {
		head = append(head, "compressed with "+enc)
	}
	out := []Line{L(S(Dim, "  "+strings.Join(head, " · ")))}
	switch {
	case b.Size == 0:
		return append(out, L(S(Dim, "  empty")))
	case b.Shed:
		return append(out, L(S(WarnText, "  not stored: glassbox shed the copy because bodies came faster than its database took them (the body itself was forwarded whole)")))
	case len(b.Data) == 0:
		return append(out, L(S(Dim, "  not stored: glassbox keeps no body with --max-body 0, and none for tunnels")))
	}
	if b.Truncated {
		out = append(out, L(S(WarnText, fmt.Sprintf("  glassbox stored only the first %s of %s (--max-body): what follows is cut short",
			Bytes(int64(len(b.Data))), Bytes(b.Size)))))
	}
	if b.Decoded {
		enc = "" // imported from HAR, which keeps the decoded content
	}
	data, more, err := codec.Decode(b.Data, enc, maxDecoded)
	switch {
	case err != nil && len(data) == 0:
		out = append(out, L(S(WarnText, "  cannot decode it ("+err.Error()+"): the raw bytes follow")), Blank)
		return append(out, hexLines(b.Data)...)
	case more:
		out = append(out, L(S(Dim, "  decoded for display: the first "+Bytes(int64(len(data)))+" (it unpacks to more)")))
	case len(codec.Codings(enc)) > 0:
		out = append(out, L(S(Dim, "  decoded for display: "+Bytes(int64(len(data))))))
	}
	out = append(out, Blank)
	return append(out, bodyContent(data, ctype, w)...)
}

func bodyContent(data []byte, ctype string, w int) []Line {
	mt, _, _ := mime.ParseMediaType(ctype)
	switch {
	case strings.HasPrefix(mt, "image/") && mt != "image/svg+xml":
		return imageLines(data, mt)
	case isJSON(mt, data):
		var buf bytes.Buffer
		if json.Indent(&buf, data, "", "  ") == nil {
			return textLines(buf.String(), w)
		}
		return textLines(string(data), w) // cut short: show it as it is
	case strings.Contains(mt, "html") || strings.Contains(mt, "xml"):
		return textLines(indentMarkup(string(data)), w)
	case mt == "text/css":
		return textLines(indentCSS(string(data)), w)
	case strings.HasPrefix(mt, "text/") || strings.Contains(mt, "javascript") || mt == "application/x-www-form-urlencoded":
		return textLines(string(data), w)
	case utf8.Valid(data) && !bytes.ContainsFunc(data, func(r rune) bool { return r < ' ' && r != '\n' && r != '\r' && r != '\t' }):
		return textLines(string(data), w)
	}
	return hexLines(data)
}

func isJSON(mt string, data []byte) bool {
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		return true
	}
	t := bytes.TrimSpace(data)
	return (mt == "" || mt == "text/plain") && len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(t)
}

// textLines wraps text to the pane, up to maxBodyLines.
func textLines(s string, w int) []Line {
	var out []Line
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, line := range lines {
		if len(out) >= maxBodyLines {
			out = append(out, L(S(Dim, fmt.Sprintf("… %d more lines (export the flow to read it all)", len(lines)-i))))
			break
		}
		line = Sanitize(line)
		for Width(line) > w && w > 4 {
			head, tail := cutWidth(line, w)
			out = append(out, P(head))
			line = tail
		}
		out = append(out, P(line))
	}
	return out
}

func imageLines(data []byte, mt string) []Line {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return []Line{P(fmt.Sprintf("  an image (%s) of %s; glassbox does not read its size", mt, Bytes(int64(len(data)))))}
	}
	return []Line{P(fmt.Sprintf("  a %s image, %d x %d pixels, %s", strings.ToUpper(format), cfg.Width, cfg.Height, Bytes(int64(len(data)))))}
}

func hexLines(data []byte) []Line {
	n := min(len(data), maxHexBytes)
	out := []Line{L(S(Dim, "  binary data, as hex and the printable bytes:"))}
	for _, line := range strings.Split(strings.TrimRight(hex.Dump(data[:n]), "\n"), "\n") {
		out = append(out, P(line))
	}
	if n < len(data) {
		out = append(out, L(S(Dim, fmt.Sprintf("… %s more", Bytes(int64(len(data)-n))))))
	}
	return out
}

// indentMarkup puts each tag of minified HTML or XML on its own line,
// indented by nesting. Markup that already has line breaks is kept.
func indentMarkup(s string) string {
	if strings.Count(s, "\n") > len(s)/200 {
		return s
	}
	var b strings.Builder
	depth := 0
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			writeIndented(&b, depth, s)
			break
		}
		writeIndented(&b, depth, s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			writeIndented(&b, depth, s[i:])
			break
		}
		tag := s[i : i+j+1]
		s = s[i+j+1:]
		closing := strings.HasPrefix(tag, "</")
		if closing && depth > 0 {
			depth--
		}
		writeIndented(&b, depth, tag)
		if !closing && !strings.HasSuffix(tag, "/>") && !strings.HasPrefix(tag, "<!") && !strings.HasPrefix(tag, "<?") && !voidTag(tag) {
			depth++
		}
	}
	return b.String()
}

func writeIndented(b *strings.Builder, depth int, s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	b.WriteString(strings.Repeat("  ", min(depth, 20)))
	b.WriteString(s)
	b.WriteByte('\n')
}

// voidTag reports HTML elements that have no closing tag.
func voidTag(tag string) bool {
	name := strings.ToLower(strings.TrimLeft(tag, "<"))
	if i := strings.IndexAny(name, " \t\n/>"); i >= 0 {
		name = name[:i]
	}
	switch name {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr":
		return true
	}
	return false
}

// indentCSS breaks minified CSS after braces and semicolons.
func indentCSS(s string) string {
	if strings.Count(s, "\n") > len(s)/200 {
		return s
	}
	var b strings.Builder
	depth := 0
	line := func(t string) { writeIndented(&b, depth, t) }
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			line(s[start : i+1])
			depth++
			start = i + 1
		case ';':
			line(s[start : i+1])
			start = i + 1
		case '}':
			line(s[start:i])
			if depth > 0 {
				depth--
			}
			line("}")
			start = i + 1
		}
	}
	line(s[start:])
	return b.String()
}
