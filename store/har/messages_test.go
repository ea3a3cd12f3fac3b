package har_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/har"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// messagesFixture is a session with a WebSocket (more messages crossed
// than were kept) and an event stream.
func messagesFixture(t *testing.T) (*sqlite.DB, int64, []store.Message) {
	db, sess, w := recording(t)
	ctx := context.Background()
	long := strings.Repeat("é", 600) // 1,200 bytes: the first KiB ends inside a character
	msgs := []store.Message{
		{FlowID: 1, Seq: 1, At: at(1000), Dir: store.MessageSend, Opcode: store.OpText, Size: 5, WireSize: 5, Data: []byte("hello")},
		{FlowID: 1, Seq: 2, At: at(2000), Dir: store.MessageReceive, Opcode: store.OpText, Size: 1200, WireSize: 40, Compressed: true, Data: []byte(long[:store.MaxMessageData])},
		{FlowID: 1, Seq: 3, At: at(3000), Dir: store.MessageReceive, Opcode: store.OpBinary, Size: 4, WireSize: 4, Data: []byte{0, 1, 0xfe, 0xff}},
		{FlowID: 1, Seq: 4, At: at(4000), Dir: store.MessageSend, Opcode: store.OpClose, Size: 2, WireSize: 2, Data: []byte{0x03, 0xe8}},
		{FlowID: 2, Seq: 1, At: at(6000), Dir: store.MessageReceive, Size: 2, WireSize: 2, Data: []byte("hi"), Event: "greet", EventID: "9"},
		{FlowID: 2, Seq: 2, At: at(7000), Dir: store.MessageReceive, Size: 3, WireSize: 3, Data: []byte("bye"), EventID: "9"},
	}
	w.RecordFlow(&store.Flow{ID: 1, Kind: store.KindWebSocket, ResourceType: "websocket", Method: "GET", URL: "wss://chat.test/ws", Proto: "HTTP/1.1",
		Status: 101, StatusText: "Switching Protocols", Start: at(0), End: at(5000), BytesUp: 30, BytesDown: 60, Messages: 1500, ReqHeaderSize: -1, RespHeaderSize: -1})
	w.RecordFlow(&store.Flow{ID: 2, Kind: store.KindHTTP, ResourceType: "fetch", Method: "GET", URL: "https://chat.test/events", Proto: "HTTP/1.1",
		Status: 200, StatusText: "OK", RespHeaders: hdr("Content-Type", "text/event-stream"), Start: at(5000), End: at(8000), Messages: 2, ReqHeaderSize: -1, RespHeaderSize: -1})
	w.RecordMessages(msgs)
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return db, sess.ID, msgs
}

// Messages go out as Chrome writes them (_webSocketMessages: type, time,
// opcode, data; binary in base64) and events as _eventSourceMessages, and
// come back in unchanged on import.
func TestMessagesExportedAndImported(t *testing.T) {
	db, id, msgs := messagesFixture(t)
	out := export(t, db, id, har.Options{})
	validate(t, out)
	var doc struct {
		Log struct {
			Entries []map[string]json.RawMessage `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	var ws []map[string]any
	json.Unmarshal(doc.Log.Entries[0]["_webSocketMessages"], &ws)
	if len(ws) != 4 || ws[0]["type"] != "send" || ws[0]["opcode"] != 1.0 || ws[0]["data"] != "hello" || ws[0]["time"] != 1700000000.001 {
		t.Fatalf("_webSocketMessages: %v", ws)
	}
	if d := ws[1]["data"].(string); d != strings.Repeat("é", 512) || ws[1]["_size"] != 1200.0 || ws[1]["_compressed"] != true {
		t.Errorf("the cut text message: %q size %v", d, ws[1]["_size"])
	}
	if ws[2]["data"] != "AAH+/w==" {
		t.Errorf("binary data %v, want base64", ws[2]["data"])
	}
	if string(doc.Log.Entries[0]["_messageCount"]) != "1500" {
		t.Errorf("_messageCount %s", doc.Log.Entries[0]["_messageCount"])
	}
	var ev []map[string]any
	json.Unmarshal(doc.Log.Entries[1]["_eventSourceMessages"], &ev)
	if len(ev) != 2 || ev[0]["eventName"] != "greet" || ev[0]["eventId"] != "9" || ev[1]["eventName"] != "message" || ev[1]["data"] != "bye" {
		t.Fatalf("_eventSourceMessages: %v", ev)
	}

	ctx := context.Background()
	sess, err := db.StartSession(ctx, store.Session{Source: "import:test.har"})
	if err != nil {
		t.Fatal(err)
	}
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	if _, err := har.Import(ctx, bytes.NewReader(out), w, har.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := db.Flow(ctx, sess.ID, 1)
	if err != nil || f.Messages != 1500 {
		t.Fatalf("imported flow counts %d messages (%v)", f.Messages, err)
	}
	for fid, want := range map[int64][]store.Message{1: msgs[:4], 2: msgs[4:]} {
		got, err := db.Messages(ctx, sess.ID, fid)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			want[i].WireSize = want[i].Size // HAR has no wire size: the import takes the size
			if i == 1 && fid == 1 {
				want[i].Data = []byte(strings.Repeat("é", 512)) // the cut character is gone
			}
		}
		for i := range got { // the same instants, whatever their time.Location
			got[i].At = time.Unix(0, got[i].At.UnixNano())
		}
		for i := range want {
			want[i].At = time.Unix(0, want[i].At.UnixNano())
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("flow %d imported as\n%+v\nwant\n%+v", fid, got, want)
		}
	}
	if again := export(t, db, sess.ID, har.Options{}); !bytes.Contains(again, []byte(`"_messageCount":1500`)) {
		t.Errorf("the count is lost on the way back out")
	}
}
