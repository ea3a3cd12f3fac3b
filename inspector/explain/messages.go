package explain

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/glassbox-dev/glassbox/store"
)

// MessagesIntro says, for a learner, what the messages of a flow are and
// how many glassbox kept: a WebSocket's after its handshake, or an event
// stream's events.
func MessagesIntro(f *store.Flow, kept int) []string {
	var out []string
	if f.Kind == store.KindWebSocket {
		out = append(out, "After the 101 answer this connection stopped carrying HTTP: each side sends messages whenever it "+
			"likes, in frames (RFC 6455 §5). → is what the browser sent, ← what the server sent. Ping and pong check "+
			"that the other side is still there; close ends the conversation, with a code saying why (§7.4).")
	} else {
		out = append(out, "The server keeps this response open and writes events into it one after another (server-sent "+
			"events, HTML Living Standard §9.2). The page's EventSource hands each event to a script as it arrives, "+
			"and reconnects, sending the last id it saw, if the response ends.")
	}
	switch n := f.Messages; {
	case n == 0 && kept == 0:
		out = append(out, "None crossed while glassbox watched.")
	case n > int64(kept):
		out = append(out, fmt.Sprintf("%s crossed; glassbox kept the first %d (it keeps up to %d of a flow), and of each its first KiB.",
			Plural(int(n), messageNoun(f)), kept, store.MaxMessagesPerFlow))
	default:
		out = append(out, fmt.Sprintf("%s crossed; glassbox keeps the first KiB of each.", Plural(int(n), messageNoun(f))))
	}
	return out
}

func messageNoun(f *store.Flow) string {
	if f.Kind == store.KindWebSocket {
		return "message"
	}
	return "event"
}

// MessageKind names a message: "text", "binary", "close", "ping", "pong",
// or an event's type.
func MessageKind(m *store.Message) string {
	switch m.Opcode {
	case 0:
		if m.Note != "" && m.Size < 0 {
			return "?"
		}
		if m.Event == "" {
			return "message"
		}
		return m.Event
	case store.OpText:
		return "text"
	case store.OpBinary:
		return "binary"
	case store.OpClose:
		return "close"
	case store.OpPing:
		return "ping"
	case store.OpPong:
		return "pong"
	}
	return "opcode " + strconv.Itoa(m.Opcode)
}

// CloseFrame reads a close frame's payload (RFC 6455 §5.5.1): its status
// code, what the code means (§7.4.1) and the reason the sender gave.
func CloseFrame(data []byte) string {
	if len(data) < 2 {
		return "no status code: the sender gave no reason (§7.1.5 then reads it as 1005)"
	}
	code := int(binary.BigEndian.Uint16(data))
	s := fmt.Sprintf("code %d: %s", code, closeCode(code))
	if len(data) > 2 {
		s += fmt.Sprintf("; reason %q", string(data[2:]))
	}
	return s
}

// closeCode is what a close code means (RFC 6455 §7.4.1, and IANA's
// registry for 1012-1014).
func closeCode(code int) string {
	switch code {
	case 1000:
		return "a normal close, the conversation is over"
	case 1001:
		return "going away (a page left, a server shutting down)"
	case 1002:
		return "the other side broke the protocol"
	case 1003:
		return "a kind of data the sender cannot accept"
	case 1007:
		return "a message's data did not match its type (text that is not UTF-8)"
	case 1008:
		return "a message broke the receiver's policy"
	case 1009:
		return "a message too big to process"
	case 1010:
		return "the client needed an extension the server did not agree to"
	case 1011:
		return "the server met an error it could not handle"
	case 1012:
		return "the service is restarting"
	case 1013:
		return "try again later"
	case 1014:
		return "a gateway got a bad answer from upstream"
	}
	switch {
	case code >= 3000 && code < 4000:
		return "a code registered by a library or framework"
	case code >= 4000 && code < 5000:
		return "a code private to the application"
	}
	return "a code RFC 6455 does not define"
}
