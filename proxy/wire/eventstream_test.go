package wire_test

import (
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/wire"
	"github.com/glassbox-dev/glassbox/store"
)

func readEvents(stream string, piece int) []store.Message {
	var got []store.Message
	s := &wire.EventStream{Emit: func(m store.Message) { got = append(got, m) }}
	if piece <= 0 {
		piece = len(stream) + 1
	}
	at := time.Unix(1700000000, 0)
	for len(stream) > 0 {
		n := min(piece, len(stream))
		s.Feed([]byte(stream[:n]), at)
		stream = stream[n:]
		at = at.Add(time.Millisecond)
	}
	return got
}

func TestEventStream(t *testing.T) {
	long := strings.Repeat("y", 3000)
	stream := "\xef\xbb\xbf: a comment\r\n" +
		"data: one\n\n" + // the simplest event
		"event: tick\r\nid: 7\r\ndata:two\r\ndata:  lines\r\n\r\n" + // CRLF, two data lines, one space dropped
		"event: ignored\n\n" + // no data: not dispatched, and the type is reset
		"retry: 10\rdata: cr\r\r" + // CR alone ends lines
		"data: " + long + "\n\n" +
		"data: unterminated" // never dispatched: the stream ended mid-event
	type want struct {
		event, id, data string
		size            int64
	}
	wants := []want{{"", "", "one", 3}, {"tick", "7", "two\n lines", 10}, {"", "7", "cr", 2}, {"", "7", long[:store.MaxMessageData], 3000}}
	for _, piece := range []int{0, 1, 2, 5} {
		got := readEvents(stream, piece)
		if len(got) != len(wants) {
			t.Fatalf("piece %d: %d events, want %d: %+v", piece, len(got), len(wants), got)
		}
		for i, w := range wants {
			g := got[i]
			if g.Event != w.event || g.EventID != w.id || string(g.Data) != w.data || g.Size != w.size || g.Dir != store.MessageReceive || g.Opcode != 0 {
				t.Errorf("piece %d: event %d = %q id %q %q size %d, want %q id %q %q size %d", piece, i, g.Event, g.EventID, g.Data, g.Size, w.event, w.id, w.data, w.size)
			}
		}
	}
}
