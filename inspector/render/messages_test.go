package render_test

import (
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
)

func messagesTabOf(f *store.Flow, msgs []store.Message, w int) string {
	tab := 0
	for i, name := range render.FlowTabs {
		if name == "Messages" {
			tab = i
		}
	}
	return text(render.FlowTab(render.NewTheme(256, false), tab, render.FlowDetail{Flow: f, Messages: msgs}, w))
}

func TestMessagesTab(t *testing.T) {
	start := time.Unix(1700000000, 0)
	ws := &store.Flow{ID: 4, Kind: store.KindWebSocket, Method: "GET", URL: "wss://chat.test/ws", Status: 101, Start: start, Messages: 1500}
	msgs := []store.Message{
		{Seq: 1, At: start.Add(120 * time.Millisecond), Dir: store.MessageSend, Opcode: store.OpText, Size: 11, Data: []byte("hello\nworld")},
		{Seq: 2, At: start.Add(130 * time.Millisecond), Dir: store.MessageReceive, Opcode: store.OpText, Size: 3000, WireSize: 90, Compressed: true, Data: []byte(strings.Repeat("a", 1024))},
		{Seq: 3, At: start.Add(time.Second), Dir: store.MessageReceive, Opcode: store.OpBinary, Size: 3, Data: []byte{0xde, 0xad, 0x1b}},
		{Seq: 4, At: start.Add(2 * time.Second), Dir: store.MessageSend, Opcode: store.OpClose, Size: 5, Data: []byte("\x03\xe8bye")},
		{Seq: 5, At: start.Add(3 * time.Second), Dir: store.MessageReceive, Opcode: store.OpText, Size: -1, Compressed: true, Note: "compressed against earlier messages glassbox could not decompress"},
	}
	got := messagesTabOf(ws, msgs, 100)
	holds(t, "websocket", got, []string{
		"RFC 6455 §5", "1500 messages crossed", "kept the first 5 (it keeps up to 1000 of a flow)",
		"+120 ms → text", "hello⏎world",
		"← text", "2.9 KB (90 B deflated)", "aaaa…",
		"← binary", "de ad 1b",
		"→ close", "code 1000: a normal close", `reason "bye"`,
		"could not decompress",
		"… and 1495 more, not kept",
	}, []string{"\x1b"})

	sse := &store.Flow{ID: 5, Kind: store.KindHTTP, Method: "GET", URL: "https://chat.test/events", Status: 200, Start: start, Messages: 1}
	got = messagesTabOf(sse, []store.Message{{Seq: 1, At: start.Add(time.Second), Dir: store.MessageReceive, Size: 2, Data: []byte("hi"), Event: "greet"}}, 80)
	holds(t, "event stream", got, []string{"server-sent events, HTML Living Standard §9.2", "1 event crossed", "← greet", "hi"}, []string{"more, not kept"})

	plain := &store.Flow{ID: 6, Kind: store.KindHTTP, Method: "GET", URL: "https://chat.test/", Status: 200, Start: start}
	holds(t, "plain", messagesTabOf(plain, nil, 80), []string{"no WebSocket messages"}, nil)
	plain.RespHeaders = store.Headers{{Name: "Content-Type", Value: "text/event-stream"}, {Name: "Content-Encoding", Value: "gzip"}}
	holds(t, "compressed stream", messagesTabOf(plain, nil, 80), []string{"came compressed (Content-Encoding: gzip)", "only from streams sent uncompressed"}, []string{"no WebSocket messages"})
}
