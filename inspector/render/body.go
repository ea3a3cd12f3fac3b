package render

import (
	"bytes"
	"context"
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
// multi-megabyte body must not slow the frame down. A body is decoded and
// laid out one page of BodyPage decoded bytes at a time, so a body that
// decodes to a gigabyte (a "bomb") costs what 1 MiB costs; ] and [ turn
// the pages (issue 15).
const (
	maxHexBytes = 4096
	// BodyPage is how many decoded bytes the Body tab lays out at once:
	// about 12,000 lines of a one-line script in an 88-column pane, laid
	// out in tens of milliseconds.
	BodyPage = 1 << 20
)

// bodyTab shows the request body (when there is one) and the response
// body: decoded, pretty-printed when it is JSON, as text when it is text,
// described when it is an image, as hex otherwise.
func bodyTab(d FlowDetail, w int) []Line {
	lines, _ := BodyTab(context.Background(), d, w)
	return lines
}

// BodyTab lays out page d.BodyPage of the flow's bodies, for a pane w
// cells wide; more reports that a body goes on past the page. It takes
// up to tens of milliseconds for a full page, and reaching a far page of
// a coded body decodes the pages before it: the inspector calls it off its
// UI goroutine, and ctx ends that decoding early.
func BodyTab(ctx context.Context, d FlowDetail, w int) (lines []Line, more bool) {
	f := d.Flow
	out := flowTitle(f, w)
	if f.ReqBody.Size > 0 {
		out = append(out, L(S(Title, "Request body")))
		b, m := bodyLines(ctx, f.ReqBody, f.ReqHeaders, w, d.BodyPage)
		out = append(append(out, b...), Blank)
		more = m
	}
	out = append(out, L(S(Title, "Response body")))
	if f.Status == 0 {
		return append(out, L(S(Dim, "  no response"))), more
	}
	b, m := bodyLines(ctx, f.RespBody, f.RespHeaders, w, d.BodyPage)
	return append(out, b...), more || m
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

func bodyLines(ctx context.Context, b store.Body, h store.Headers, w, page int) ([]Line, bool) {
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
		return append(out, L(S(Dim, "  empty"))), false
	case b.Missing:
		return append(out, Wrap("  not readable: glassbox stored this body in the body file beside its database ("+
			"the database's name with -bodies), which no longer holds it: removed, cut short by a power loss, or the "+
			"database copied without it. glassbox export --format sqlite writes a database with every body inside.", 1<<20, "", "  ", WarnText)...), false
	case b.Shed:
		return append(out, L(S(WarnText, "  not stored: glassbox shed the copy because bodies came faster than its database took them (the body itself was forwarded whole)"))), false
	case len(b.Data) == 0:
		return append(out, L(S(Dim, "  not stored: glassbox keeps no body with --max-body 0, and none for tunnels"))), false
	}
	if b.Truncated {
		out = append(out, L(S(WarnText, fmt.Sprintf("  glassbox stored only the first %s of %s (--max-body): what follows is cut short",
			Bytes(int64(len(b.Data))), Bytes(b.Size)))))
	}
	if b.Decoded {
		enc = "" // imported from HAR, which keeps the decoded content
	}
	mt, _, _ := mime.ParseMediaType(ctype)
	var js jsonIndenter // learns where in a JSON document the page starts
	from := int64(page) * BodyPage
	data, more, err := codec.DecodeRange(ctx, b.Data, enc, from, BodyPage, &js)
	coded := len(codec.Codings(enc)) > 0
	switch {
	case err != nil && len(data) == 0 && ctx.Err() != nil:
		return append(out, L(S(Dim, "  (stopped)"))), false
	case err != nil && len(data) == 0 && page == 0:
		out = append(out, L(S(WarnText, "  cannot decode it ("+err.Error()+"): the raw bytes follow")), Blank)
		return append(out, hexLines(b.Data)...), false
	case len(data) == 0 && page > 0:
		return append(out, L(S(Dim, fmt.Sprintf("  page %d: the body ends before it ([ goes back)", page+1)))), false
	}
	out = append(out, pageNote(page, from, len(data), more, coded, len(b.Data), w)...)
	out = append(out, Blank)
	if page > 0 && !isJSONType(mt) {
		js = jsonIndenter{}
	}
	return append(out, bodyContent(data, mt, w, page, &js)...), more
}

// pageNote says what part of a body the page shows, and how to turn the
// pages, when the body is longer than a page or was decoded.
func pageNote(page int, from int64, n int, more, coded bool, stored, w int) []Line {
	var s string
	switch {
	case page == 0 && !more && coded:
		s = "decoded for display: " + Bytes(int64(n))
	case page == 0 && !more:
		return nil
	case page == 0 && coded:
		s = fmt.Sprintf("decoded the first %s; the body decodes to more: ] shows the next %s, decoded when asked for", Bytes(int64(n)), Bytes(BodyPage))
	case page == 0:
		s = fmt.Sprintf("page 1 of %d: the first %s; ] shows the next page", pages(stored), Bytes(int64(n)))
	default:
		what := fmt.Sprintf("page %d", page+1)
		if !coded {
			what += fmt.Sprintf(" of %d", pages(stored))
		}
		s = fmt.Sprintf("%s: bytes %s to %s", what, Bytes(from), Bytes(from+int64(n)))
		if coded {
			s = what + ": decoded " + strings.TrimPrefix(s, what+": ")
		}
		if more {
			s += "; ] shows the next page, [ the one before"
		} else {
			s += "; the end of the body; [ shows the page before"
		}
	}
	return Wrap(s, w, "  ", "  ", Dim)
}

// pages is how many pages a body of n bytes takes.
func pages(n int) int { return (n + BodyPage - 1) / BodyPage }

func bodyContent(data []byte, mt string, w, page int, js *jsonIndenter) []Line {
	switch {
	case strings.HasPrefix(mt, "image/") && mt != "image/svg+xml":
		return imageLines(data, mt)
	case isJSON(mt, data) && (page > 0 || json.Valid(data) || looksJSON(data)):
		return textLines(js.indent(data), w)
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

func isJSONType(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }

func isJSON(mt string, data []byte) bool {
	if isJSONType(mt) {
		return true
	}
	t := bytes.TrimSpace(data)
	return (mt == "" || mt == "text/plain") && len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(t)
}

// textLines cuts text into lines of the pane's width, keeping every
// character. It reads the text once: the lines are slices of it, made in
// one allocation, so a page of a one-line script (a million characters)
// is laid out in milliseconds where cutting it from the start again for
// each line took seconds (issue 15).
func textLines(s string, w int) []Line {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	spans := make([]Span, 0, strings.Count(s, "\n")+1+len(s)/max(w, 1)) // about as many as it takes
	for more := true; more; {
		var line string
		line, s, more = strings.Cut(s, "\n")
		line = Sanitize(line)
		for w > 4 {
			head, tail := cutWidth(line, w)
			if tail == "" {
				break
			}
			spans = append(spans, Span{Text: head})
			line = tail
		}
		spans = append(spans, Span{Text: line})
	}
	out := make([]Line, len(spans))
	for i := range spans {
		out[i] = spans[i : i+1 : i+1]
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

// indentMarkup puts each tag of HTML or XML on its own line, indented by
// nesting, whether the markup came minified or with line breaks of its own
// (issue 15: a minified page with a few line breaks was shown as sent).
// Text between tags keeps its lines, each indented; the content of script,
// style, pre and textarea keeps its own indentation too, and a '<' in it
// is not a tag.
func indentMarkup(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	depth := 0
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			writeText(&b, depth, s)
			break
		}
		writeText(&b, depth, s[:i])
		s = s[i:]
		end := ">"
		if strings.HasPrefix(s, "<!--") {
			end = "-->"
		}
		j := strings.Index(s, end)
		if j < 0 {
			writeText(&b, depth, s)
			break
		}
		tag := s[:j+len(end)]
		s = s[j+len(end):]
		closing := strings.HasPrefix(tag, "</")
		if closing && depth > 0 {
			depth--
		}
		writeIndented(&b, depth, tag)
		if closing || strings.HasSuffix(tag, "/>") || strings.HasPrefix(tag, "<!") || strings.HasPrefix(tag, "<?") || voidTag(tag) {
			continue
		}
		depth++
		if raw := rawElement(tag); raw != "" {
			k := indexCloser(s, raw)
			writeRaw(&b, depth, s[:k])
			s = s[k:]
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

// writeText writes each line of text between tags, indented.
func writeText(b *strings.Builder, depth int, s string) {
	for more := true; more; {
		var line string
		line, s, more = strings.Cut(s, "\n")
		writeIndented(b, depth, line)
	}
}

// writeRaw writes each line of a script's or a pre's content, indented,
// keeping the indentation it had.
func writeRaw(b *strings.Builder, depth int, s string) {
	for more := true; more; {
		var line string
		line, s, more = strings.Cut(s, "\n")
		if line = strings.TrimRight(line, " \t\r"); strings.TrimSpace(line) != "" {
			b.WriteString(strings.Repeat("  ", min(depth, 20)))
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
}

// rawElement is the lower-case name of an element whose content is not
// markup (or whose spaces matter), or "".
func rawElement(tag string) string {
	name := strings.ToLower(strings.TrimLeft(tag, "<"))
	if i := strings.IndexAny(name, " \t\r\n/>"); i >= 0 {
		name = name[:i]
	}
	switch name {
	case "script", "style", "pre", "textarea":
		return name
	}
	return ""
}

// indexCloser is where s's closing tag of the element name starts, in any
// case, or len(s).
func indexCloser(s, name string) int {
	for from := 0; ; {
		i := strings.Index(s[from:], "</")
		if i < 0 {
			return len(s)
		}
		i += from
		if rest := s[i+2:]; len(rest) >= len(name) && strings.EqualFold(rest[:len(name)], name) {
			return i
		}
		from = i + 2
	}
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
