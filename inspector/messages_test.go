package inspector

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/storetest"
)

// TestLiveMessages: the Messages tab of a WebSocket still open shows the
// messages recorded so far, and the ones that come after as the flow is
// recorded again (issue 15: messages shown live).
func TestLiveMessages(t *testing.T) {
	db, s, w := recording(t, store.Session{Started: t0, Source: "proxy"})
	ctx := context.Background()
	ws := get(1, 0, 1, "wss://chat.test/ws", 101, 0, 0)
	ws.Kind, ws.ResourceType, ws.End, ws.Messages = store.KindWebSocket, "websocket", time.Time{}, 1
	w.RecordMessages([]store.Message{{FlowID: 1, Seq: 1, At: at(10), Dir: store.MessageSend, Opcode: store.OpText, Size: 10, Data: []byte("first one!")}})
	w.RecordFlow(ws)
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	h, _ := startApp(t, Options{Reader: db, SessionID: s.ID, Live: true, Poll: 5 * time.Millisecond}, 140, 30)
	h.press("m", "7")
	h.contains("→ text", "first one!", "1 message crossed")

	again := *ws
	again.Messages = 2
	w.RecordMessages([]store.Message{{FlowID: 1, Seq: 2, At: at(20), Dir: store.MessageReceive, Opcode: store.OpText, Size: 12, Data: []byte("second reply")}})
	w.RecordFlow(&again)
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.Eventually(t, 10*time.Second, "the second message on screen", func() bool {
		h.sync()
		return strings.Contains(h.text(), "second reply")
	})
	h.contains("first one!", "2 messages crossed", "← text")
	h.quits()
}
