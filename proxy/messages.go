package proxy

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/wire"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec"
)

// messageTap reads the messages of a flow off the bytes its tee relays: a
// WebSocket's frames both ways (wire.WebSocket), or a text/event-stream
// body's events (wire.EventStream). Messages wait here until the flow is
// published in flight or recorded at its end, and are recorded before the
// flow row that counts them, so a reader that sees the count finds them.
type messageTap struct {
	flowID int64
	now    func() time.Time
	down   feeder // origin to browser
	up     feeder // browser to origin; nil for an event stream

	mu      sync.Mutex
	pending []store.Message
	count   int64 // messages seen, kept or not
}

// feeder is a reader of one direction's bytes.
type feeder interface {
	Feed(p []byte, at time.Time)
}

// webSocketTap reads a WebSocket's frames, with the compression the 101
// response's Sec-WebSocket-Extensions accepted (RFC 7692 §5).
func webSocketTap(flowID int64, now func() time.Time, h http.Header) *messageTap {
	m := &messageTap{flowID: flowID, now: now}
	server, client := deflateOf(h)
	m.down = &wire.WebSocket{Dir: store.MessageReceive, Deflate: server, Emit: m.add}
	m.up = &wire.WebSocket{Dir: store.MessageSend, Deflate: client, Emit: m.add}
	return m
}

// eventStreamTap reads a text/event-stream body's events.
func eventStreamTap(flowID int64, now func() time.Time) *messageTap {
	m := &messageTap{flowID: flowID, now: now}
	m.down = &wire.EventStream{Emit: m.add}
	return m
}

// isEventStream reports a response carrying server-sent events.
func isEventStream(h http.Header) bool {
	ct, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	return strings.EqualFold(strings.TrimSpace(ct), "text/event-stream")
}

// identity reports a body sent without a content coding (store/codec
// reads the header): an event stream compressed as a whole (gzip) is not
// read for events.
func identity(h http.Header) bool { return len(codec.Codings(h.Get("Content-Encoding"))) == 0 }

// deflateOf reads permessage-deflate's parameters from the extensions the
// server accepted: each direction's, nil for both when it was not.
func deflateOf(h http.Header) (server, client *wire.Deflate) {
	for _, v := range h.Values("Sec-Websocket-Extensions") {
		for ext := range strings.SplitSeq(v, ",") {
			params := strings.Split(ext, ";")
			if !strings.EqualFold(strings.TrimSpace(params[0]), "permessage-deflate") {
				continue
			}
			server, client = &wire.Deflate{}, &wire.Deflate{}
			for _, p := range params[1:] {
				name, _, _ := strings.Cut(strings.TrimSpace(p), "=")
				switch strings.ToLower(strings.TrimSpace(name)) {
				case "server_no_context_takeover":
					server.NoContextTakeover = true
				case "client_no_context_takeover":
					client.NoContextTakeover = true
				}
			}
			return server, client // the first accepted is the one in use
		}
	}
	return nil, nil
}

// fromOrigin and fromBrowser take bytes as they cross.
func (m *messageTap) fromOrigin(p []byte)  { m.feed(m.down, p) }
func (m *messageTap) fromBrowser(p []byte) { m.feed(m.up, p) }

func (m *messageTap) feed(f feeder, p []byte) {
	if f == nil || len(p) == 0 {
		return
	}
	at := m.now()
	m.mu.Lock() // one direction's reader at a time: they share pending
	defer m.mu.Unlock()
	f.Feed(p, at)
}

// add is the readers' Emit, called under m.mu.
func (m *messageTap) add(msg store.Message) {
	m.count++
	if m.count > store.MaxMessagesPerFlow {
		return
	}
	msg.FlowID, msg.Seq = m.flowID, m.count
	m.pending = append(m.pending, msg)
}

// seen is how many messages crossed so far.
func (m *messageTap) seen() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.count
}

// record hands the messages read since the last call to rec, when it
// keeps messages, and returns how many crossed in all.
func (m *messageTap) record(rec store.Recorder) int64 {
	m.mu.Lock()
	msgs, n := m.pending, m.count
	m.pending = nil
	m.mu.Unlock()
	if mr, ok := rec.(store.MessageRecorder); ok && len(msgs) > 0 {
		mr.RecordMessages(msgs)
	}
	return n
}
