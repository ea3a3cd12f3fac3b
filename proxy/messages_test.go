package proxy_test

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
)

// wsFrame is one WebSocket frame (RFC 6455 §5.2), masked when the client
// sends it.
func wsFrame(op byte, payload []byte, masked bool) []byte {
	out := []byte{0x80 | op}
	m := byte(0)
	if masked {
		m = 0x80
	}
	if n := len(payload); n < 126 {
		out = append(out, m|byte(n))
	} else {
		out = append(out, m|126)
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	}
	if !masked {
		return append(out, payload...)
	}
	key := []byte{9, 8, 7, 6}
	out = append(out, key...)
	for i, c := range payload {
		out = append(out, c^key[i%4])
	}
	return out
}

// readFrame reads one frame and returns its opcode and unmasked payload.
func readFrame(r *bufio.Reader) (byte, []byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := int(h[1] & 0x7f)
	if n == 126 {
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return 0, nil, err
		}
		n = int(binary.BigEndian.Uint16(l[:]))
	}
	var key [4]byte
	if h[1]&0x80 != 0 {
		if _, err := io.ReadFull(r, key[:]); err != nil {
			return 0, nil, err
		}
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		return 0, nil, err
	}
	for i := range p {
		p[i] ^= key[i%4]
	}
	return h[0] & 0x0f, p, nil
}

// wsEchoOrigin answers a WebSocket handshake and echoes every frame
// (a ping with a pong), until a close, which it answers.
func wsEchoOrigin(t *testing.T) *httptest.Server {
	o := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		for i := 0; i < 5000; i++ {
			op, p, err := readFrame(brw.Reader)
			if err != nil {
				return
			}
			if op == 9 {
				op = 10
			}
			conn.Write(wsFrame(op, p, false))
			if op == 8 {
				return
			}
		}
	}))
	t.Cleanup(o.Close)
	return o
}

// A WebSocket's messages are recorded both ways, in order, each with
// its direction, opcode, size and first KiB; the flow counts them, and
// keeps counting past the ones it keeps.
func TestWebSocketMessagesRecorded(t *testing.T) {
	origin := wsEchoOrigin(t)
	h := newHarness(t, func(c *proxy.Config) { c.LiveEvery = 20 * time.Millisecond })
	conn, err := net.Dial("tcp", h.proxyURL.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET "+origin.URL+"/chat HTTP/1.1\r\nHost: "+origin.Listener.Addr().String()+
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(conn)
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	big := strings.Repeat("z", 3000)
	send := func(op byte, p string) {
		t.Helper()
		conn.Write(wsFrame(op, []byte(p), true))
		if _, got, err := readFrame(br); err != nil || string(got) != p {
			t.Fatalf("echo of %q: %q %v", p, got, err)
		}
	}
	send(1, "hello")
	send(2, big)
	send(9, "are you there")

	// While the socket is open, its messages are already recorded.
	deadline := time.Now().Add(10 * time.Second)
	for len(h.rec.messages(1)) < 6 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(h.rec.messages(1)); n < 6 {
		t.Fatalf("%d messages recorded while the socket is open, want 6", n)
	}
	// Past the bound, messages are counted, not kept.
	for i := range store.MaxMessagesPerFlow {
		send(1, fmt.Sprint(i))
	}
	send(8, "\x03\xe8done")
	conn.Close()

	f := h.rec.waitFlows(t, 1)[0]
	want := int64(6 + 2*store.MaxMessagesPerFlow + 2)
	if f.Messages != want {
		t.Errorf("flow counts %d messages, want %d", f.Messages, want)
	}
	msgs := h.rec.messages(1)
	if len(msgs) != store.MaxMessagesPerFlow {
		t.Fatalf("%d messages kept, want %d", len(msgs), store.MaxMessagesPerFlow)
	}
	firsts := []struct {
		dir  string
		op   int
		size int64
	}{{store.MessageSend, 1, 5}, {store.MessageReceive, 1, 5}, {store.MessageSend, 2, 3000},
		{store.MessageReceive, 2, 3000}, {store.MessageSend, 9, 13}, {store.MessageReceive, 10, 13}}
	for i, w := range firsts {
		m := msgs[i]
		if m.Seq != int64(i+1) || m.Dir != w.dir || m.Opcode != w.op || m.Size != w.size || m.At.IsZero() {
			t.Errorf("message %d: seq %d %s op %d size %d at %v, want %s op %d size %d", i, m.Seq, m.Dir, m.Opcode, m.Size, m.At, w.dir, w.op, w.size)
		}
	}
	if string(msgs[0].Data) != "hello" || string(msgs[2].Data) != big[:store.MaxMessageData] || !msgs[2].Truncated() {
		t.Errorf("data %q / %d bytes", msgs[0].Data, len(msgs[2].Data))
	}
}

// A text/event-stream response's events are recorded as they arrive,
// each with its type, id and data.
func TestEventStreamRecorded(t *testing.T) {
	release := make(chan struct{})
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: greet\nid: 1\ndata: hello\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		io.WriteString(w, ": keep-alive\n\ndata: {\"n\": 2}\ndata: more\n\n")
	}))
	defer origin.Close()
	h := newHarness(t, func(c *proxy.Config) { c.LiveEvery = 20 * time.Millisecond })
	resp, err := h.client(nil).Get(origin.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	for range 4 {
		br.ReadString('\n')
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(h.rec.messages(1)) < 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := h.rec.messages(1); len(got) != 1 || got[0].Event != "greet" || got[0].EventID != "1" || string(got[0].Data) != "hello" {
		t.Fatalf("while the stream is open: %+v", got)
	}
	close(release)
	io.Copy(io.Discard, br)
	resp.Body.Close()
	f := h.rec.waitFlows(t, 1)[0]
	got := h.rec.messages(1)
	if f.Messages != 2 || len(got) != 2 || string(got[1].Data) != "{\"n\": 2}\nmore" || got[1].EventID != "1" || got[1].Seq != 2 {
		t.Fatalf("flow counts %d; messages %+v", f.Messages, got)
	}
}
