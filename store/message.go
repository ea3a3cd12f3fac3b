package store

import (
	"context"
	"time"
)

// Messages inside a flow: what a WebSocket carried after its opening
// handshake (RFC 6455 §5), one Message per data message (its fragments
// joined) and per control frame, and what a server-sent event stream
// delivered (text/event-stream, HTML Living Standard §9.2), one Message
// per event. The proxy reads them off the bytes it relays; the flow keeps
// counting past what is kept (Flow.Messages).

// Message directions.
const (
	MessageSend    = "send"    // browser to origin
	MessageReceive = "receive" // origin to browser
)

// WebSocket opcodes (RFC 6455 §5.2); an event of a stream has opcode 0.
const (
	OpText   = 1
	OpBinary = 2
	OpClose  = 8
	OpPing   = 9
	OpPong   = 10
)

// MaxMessageData is how much of each message is kept: its first KiB, as
// a browser's tools show the start of each frame.
const MaxMessageData = 1024

// MaxMessagesPerFlow is how many messages of one flow are kept: the first
// ones. A socket that chats for hours keeps counting (Flow.Messages) but
// stores no more.
const MaxMessagesPerFlow = 1000

// Message is one WebSocket message or one server-sent event of a flow.
type Message struct {
	FlowID int64
	Seq    int64     // 1, 2... in the order the proxy saw them, per flow
	At     time.Time // the message's last byte crossed the proxy
	Dir    string    // MessageSend or MessageReceive
	// Opcode is the WebSocket opcode of the message (its first frame's:
	// continuation frames are joined into it); 0 for an event.
	Opcode int
	// Size is the message's payload in bytes, after decompression when
	// permessage-deflate compressed it (RFC 7692); WireSize is what its
	// frames carried (payloads only, without frame heads).
	Size     int64
	WireSize int64
	// Compressed is true when the message crossed deflated (RSV1).
	Compressed bool
	// Data is the first MaxMessageData bytes of the payload (decompressed),
	// or of an event's data.
	Data []byte
	// Event and EventID are an event's type ("" is the default, message)
	// and id field; empty for WebSocket messages.
	Event   string
	EventID string
	// Note says what the proxy could not read of this message (a payload
	// it could not decompress), in words; empty when it read all of it.
	Note string
}

// Truncated reports whether Data holds less than the whole payload.
func (m *Message) Truncated() bool { return int64(len(m.Data)) < m.Size }

// MessageRecorder is implemented by a Recorder that keeps messages. Like
// Record*, RecordMessages returns at once and the slice is the
// recorder's.
type MessageRecorder interface {
	RecordMessages(msgs []Message)
}

// MessageReader is implemented by a Reader that keeps messages.
type MessageReader interface {
	// Messages returns a flow's kept messages, in Seq order.
	Messages(ctx context.Context, sessionID, flowID int64) ([]Message, error)
}

// Messages reads a flow's messages when r keeps them, else none.
func Messages(ctx context.Context, r Reader, sessionID, flowID int64) ([]Message, error) {
	if mr, ok := r.(MessageReader); ok {
		return mr.Messages(ctx, sessionID, flowID)
	}
	return nil, nil
}
