package render

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/textsafe"
)

// messagesTab lists a WebSocket's messages or an event stream's events,
// one line each: when (after the request began), which way, what kind,
// how large, and the start of the data.
func messagesTab(d FlowDetail, w int) []Line {
	f := d.Flow
	out := flowTitle(f, w)
	if f.Messages == 0 && len(d.Messages) == 0 && f.Kind != store.KindWebSocket {
		ct, _, _ := strings.Cut(f.RespHeaders.Get("Content-Type"), ";")
		ce := f.RespHeaders.Get("Content-Encoding")
		if strings.EqualFold(strings.TrimSpace(ct), "text/event-stream") && ce != "" && !strings.EqualFold(ce, "identity") {
			return append(out, Wrap("This event stream came compressed (Content-Encoding: "+Sanitize(ce)+"). glassbox reads events "+
				"only from streams sent uncompressed, as they cross: the Body tab has the stream as it was kept.", w, "", "", Dim)...)
		}
		return append(out, Wrap("This flow carried no WebSocket messages and no server-sent events: the Body tab shows what it "+
			"carried.", w, "", "", Dim)...)
	}
	for _, p := range explain.MessagesIntro(f, len(d.Messages)) {
		out = append(out, Wrap(p, w, "", "", Dim)...)
	}
	out = append(out, Blank)
	for i := range d.Messages {
		out = append(out, messageLines(&d.Messages[i], f, w)...)
	}
	if kept := int64(len(d.Messages)); f.Messages > kept && kept > 0 {
		out = append(out, L(S(Dim, fmt.Sprintf("… and %d more, not kept", f.Messages-kept))))
	}
	return out
}

// messageLines is one message: its line, and a line for what glassbox
// could not read of it.
func messageLines(m *store.Message, f *store.Flow, w int) []Line {
	arrow, role := "←", Normal
	if m.Dir == store.MessageSend {
		arrow, role = "→", Bold
	}
	size := Bytes(m.Size)
	if m.Compressed && m.Size >= 0 {
		size += " (" + Bytes(m.WireSize) + " deflated)"
	}
	when := fmt.Sprintf("  %11s ", offset(m.At, f.Start)) // "+1 min 15 s" is 11 wide
	what := fmt.Sprintf("%s %-7s %s  ", arrow, Fit(explain.MessageKind(m), 7), size)
	line := L(S(Dim, when), S(role, what))
	if rest := w - Width(when) - Width(what); rest > 4 {
		line = append(line, S(Normal, Fit(messagePreview(m), rest)))
	}
	out := []Line{line}
	if m.Note != "" {
		out = append(out, Wrap(m.Note, w, "      ", "      ", WarnText)...)
	}
	return out
}

// messagePreview is the start of a message's data on one line: text as
// text (line breaks shown as ⏎), a close frame read, anything else as hex.
func messagePreview(m *store.Message) string {
	switch {
	case m.Opcode == store.OpClose:
		return explain.CloseFrame(m.Data)
	case m.Opcode == 0 || (m.Opcode == store.OpText && utf8.Valid(textsafe.WholeRunes(m.Data))):
		s := strings.NewReplacer("\r\n", "⏎", "\n", "⏎", "\r", "⏎").Replace(string(textsafe.WholeRunes(m.Data)))
		if m.Truncated() {
			s += "…"
		}
		return Sanitize(s)
	case len(m.Data) == 0:
		return ""
	}
	n := min(len(m.Data), 32)
	s := fmt.Sprintf("% x", m.Data[:n])
	if n < len(m.Data) || m.Truncated() {
		s += " …"
	}
	return s
}
