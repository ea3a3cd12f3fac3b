package har

import (
	"encoding/base64"
	"math"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/textsafe"
)

// WebSocketMessage is one message of an entry's _webSocketMessages, in
// the shape Chrome's DevTools exports: type "send" or "receive", time in
// seconds since 1970, the opcode and the data (text as it is, any other
// payload in base64, as Chrome writes binary frames). glassbox keeps the
// first KiB of each message: _size says how large it was when data holds
// less, or when it is unknown (-1: it could not be decompressed).
type WebSocketMessage struct {
	Type       string  `json:"type"`
	Time       float64 `json:"time"`
	Opcode     int     `json:"opcode"`
	Data       string  `json:"data"`
	Size       *int64  `json:"_size,omitempty"`
	Compressed bool    `json:"_compressed,omitempty"`
	Note       string  `json:"_note,omitempty"`
}

// EventSourceMessage is one event of an entry's _eventSourceMessages, in
// the shape of Chrome's Network.eventSourceMessageReceived: time, event
// name, event id and data; _size as for WebSocket messages.
type EventSourceMessage struct {
	Time      float64 `json:"time"`
	EventName string  `json:"eventName"`
	EventID   string  `json:"eventId"`
	Data      string  `json:"data"`
	Size      *int64  `json:"_size,omitempty"`
}

// messagesOf puts a flow's messages on its entry; _messageCount says how
// many crossed when fewer were kept.
func messagesOf(e *Entry, f *store.Flow, msgs []store.Message) {
	if f.Messages > int64(len(msgs)) {
		e.MessageCount = f.Messages
	}
	for i := range msgs {
		m := &msgs[i]
		var size *int64
		if m.Truncated() || m.Size < 0 {
			size = &m.Size
		}
		if m.Opcode == 0 && m.Note == "" {
			e.EventSourceMessages = append(e.EventSourceMessages, EventSourceMessage{Time: seconds(m.At),
				EventName: eventName(m.Event), EventID: m.EventID, Data: string(textsafe.WholeRunes(m.Data)), Size: size})
			continue
		}
		data := base64.StdEncoding.EncodeToString(m.Data)
		if m.Opcode == store.OpText {
			data = string(textsafe.WholeRunes(m.Data))
		}
		e.WebSocketMessages = append(e.WebSocketMessages, WebSocketMessage{Type: m.Dir, Time: seconds(m.At),
			Opcode: m.Opcode, Data: data, Size: size, Compressed: m.Compressed, Note: m.Note})
	}
}

// eventName is the type an event was dispatched as (HTML §9.2.6: the
// default is "message").
func eventName(s string) string {
	if s == "" {
		return "message"
	}
	return s
}

func seconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

// importMessages reads an entry's messages back into a flow's.
func importMessages(e *Entry, flowID int64) []store.Message {
	var out []store.Message
	for _, m := range e.WebSocketMessages {
		data := []byte(m.Data)
		if m.Opcode != store.OpText {
			if b, err := base64.StdEncoding.DecodeString(m.Data); err == nil {
				data = b
			}
		}
		out = append(out, store.Message{Dir: m.Type, At: fromSeconds(m.Time), Opcode: m.Opcode, Data: data,
			Compressed: m.Compressed, Note: m.Note})
		setSize(&out[len(out)-1], m.Size)
	}
	for _, m := range e.EventSourceMessages {
		name := m.EventName
		if name == "message" {
			name = ""
		}
		out = append(out, store.Message{Dir: store.MessageReceive, At: fromSeconds(m.Time), Data: []byte(m.Data), Event: name, EventID: m.EventID})
		setSize(&out[len(out)-1], m.Size)
	}
	if len(out) > store.MaxMessagesPerFlow {
		out = out[:store.MaxMessagesPerFlow]
	}
	for i := range out {
		out[i].FlowID, out[i].Seq = flowID, int64(i+1)
		if len(out[i].Data) > store.MaxMessageData {
			out[i].Data = out[i].Data[:store.MaxMessageData]
		}
	}
	return out
}

func setSize(m *store.Message, size *int64) {
	m.Size = int64(len(m.Data))
	if size != nil {
		m.Size = *size
	}
	m.WireSize = m.Size
}

// fromSeconds reads a time in seconds since 1970, to the microsecond (a
// float64 of today's seconds holds no finer); zero when it is none
// glassbox can store.
func fromSeconds(s float64) time.Time {
	if s <= 0 || math.IsNaN(s) || s > float64(maxTime.Unix()) {
		return time.Time{}
	}
	sec := math.Floor(s)
	return time.Unix(int64(sec), int64(math.Round((s-sec)*1e6))*1000)
}
