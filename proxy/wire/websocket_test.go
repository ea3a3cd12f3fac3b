package wire_test

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/wire"
	"github.com/glassbox-dev/glassbox/store"
)

// frame builds one WebSocket frame (RFC 6455 §5.2), masked when mask is
// non-nil.
func frame(fin bool, rsv1 bool, op byte, payload []byte, mask []byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	if rsv1 {
		b0 |= 0x40
	}
	out := []byte{b0}
	var m byte
	if mask != nil {
		m = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		out = append(out, m|byte(n))
	case n < 1<<16:
		out = append(out, m|126)
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	default:
		out = append(out, m|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	if mask == nil {
		return append(out, payload...)
	}
	out = append(out, mask...)
	for i, c := range payload {
		out = append(out, c^mask[i%4])
	}
	return out
}

// deflater compresses messages as a permessage-deflate sender does
// (RFC 7692 §7.2.1): a sync flush, without its final 0x00 0x00 0xff 0xff,
// the compressor kept between messages (context takeover).
type deflater struct {
	buf bytes.Buffer
	w   *flate.Writer
}

func (d *deflater) message(t *testing.T, s string) []byte {
	if d.w == nil {
		d.w, _ = flate.NewWriter(&d.buf, flate.BestCompression)
	}
	d.buf.Reset()
	if _, err := d.w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := d.w.Flush(); err != nil {
		t.Fatal(err)
	}
	out := bytes.Clone(d.buf.Bytes())
	if !bytes.HasSuffix(out, []byte{0, 0, 0xff, 0xff}) {
		t.Fatalf("sync flush does not end in 00 00 ff ff: %x", out)
	}
	return out[:len(out)-4]
}

// readWS feeds stream to a WebSocket reader in pieces of piece bytes (all
// at once when 0) and returns the messages it emitted.
func readWS(ws *wire.WebSocket, stream []byte, piece int) []store.Message {
	var got []store.Message
	ws.Emit = func(m store.Message) { got = append(got, m) }
	at := time.Unix(1700000000, 0)
	if piece <= 0 {
		piece = len(stream) + 1
	}
	for len(stream) > 0 {
		n := min(piece, len(stream))
		ws.Feed(stream[:n], at)
		stream = stream[n:]
		at = at.Add(time.Millisecond)
	}
	return got
}

func TestWebSocketFrames(t *testing.T) {
	mask := []byte{1, 2, 3, 4}
	big := strings.Repeat("x", 70000) // a 64-bit length (127)
	var stream []byte
	stream = append(stream, frame(true, false, 1, []byte("hello"), mask)...)
	stream = append(stream, frame(false, false, 1, []byte("frag-"), mask)...)
	stream = append(stream, frame(true, false, 9, []byte("ping!"), mask)...) // a control frame between fragments
	stream = append(stream, frame(true, false, 0, []byte("mented"), mask)...)
	stream = append(stream, frame(true, false, 2, []byte(big), mask)...)
	stream = append(stream, frame(true, false, 1, nil, mask)...) // an empty message
	stream = append(stream, frame(true, false, 8, []byte{0x03, 0xe8, 'b', 'y', 'e'}, mask)...)
	type want struct {
		op   int
		size int64
		data string
	}
	wants := []want{{1, 5, "hello"}, {9, 5, "ping!"}, {1, 11, "frag-mented"}, {2, 70000, big[:store.MaxMessageData]}, {1, 0, ""}, {8, 5, "\x03\xe8bye"}}
	for _, piece := range []int{0, 1, 3, 1000} {
		got := readWS(&wire.WebSocket{Dir: store.MessageSend}, stream, piece)
		if len(got) != len(wants) {
			t.Fatalf("piece %d: %d messages, want %d: %+v", piece, len(got), len(wants), got)
		}
		for i, w := range wants {
			g := got[i]
			if g.Opcode != w.op || g.Size != w.size || string(g.Data) != w.data || g.Dir != store.MessageSend || g.Note != "" {
				t.Errorf("piece %d: message %d is op %d size %d %q (note %q), want op %d size %d %q", piece, i, g.Opcode, g.Size, g.Data, g.Note, w.op, w.size, w.data)
			}
		}
	}
}

func TestWebSocketDeflate(t *testing.T) {
	for _, takeover := range []bool{true, false} {
		var d deflater
		var stream []byte
		msgs := []string{"hello hello hello", "hello hello hello again", strings.Repeat("abc", 1000)}
		var wire1 int64
		for i, m := range msgs {
			if !takeover {
				d = deflater{}
			}
			p := d.message(t, m)
			if i == 0 {
				wire1 = int64(len(p))
			}
			stream = append(stream, frame(true, true, 1, p, nil)...)
		}
		got := readWS(&wire.WebSocket{Dir: store.MessageReceive, Deflate: &wire.Deflate{NoContextTakeover: !takeover}}, stream, 7)
		if len(got) != len(msgs) {
			t.Fatalf("takeover %v: %d messages: %+v", takeover, len(got), got)
		}
		for i, m := range msgs {
			g := got[i]
			keep := m[:min(len(m), store.MaxMessageData)]
			if !g.Compressed || g.Size != int64(len(m)) || string(g.Data) != keep || g.Note != "" {
				t.Errorf("takeover %v: message %d: compressed %v size %d data %q note %q, want %d %q", takeover, i, g.Compressed, g.Size, g.Data, g.Note, len(m), keep)
			}
		}
		if got[0].WireSize != wire1 {
			t.Errorf("wire size %d, want the compressed payload's %d", got[0].WireSize, wire1)
		}
	}
}

// A stream glassbox cannot follow ends in one message saying so, and
// nothing after it is attributed.
func TestWebSocketStopsAtWhatItCannotFollow(t *testing.T) {
	cases := []struct {
		name   string
		stream []byte
	}{
		{"reserved-opcode", frame(true, false, 3, []byte("x"), nil)},
		{"continuation-first", frame(true, false, 0, []byte("x"), nil)},
		{"long-ping", frame(true, false, 9, make([]byte, 126), nil)},
		{"rsv1-without-deflate", frame(true, true, 1, []byte("x"), nil)},
		{"rsv2", []byte{0xa1, 0x01, 'x'}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := &wire.WebSocket{Dir: store.MessageReceive}
			stream := append(frame(true, false, 1, []byte("ok"), nil), c.stream...)
			stream = append(stream, frame(true, false, 1, []byte("after"), nil)...)
			got := readWS(ws, stream, 0)
			if len(got) != 2 || string(got[0].Data) != "ok" || !strings.Contains(got[1].Note, "lost track") || !ws.Stopped() {
				t.Fatalf("got %+v", got)
			}
		})
	}
}

// A deflate bomb is not inflated past the bound, says so, and the
// messages that depend on its window say they cannot be read.
func TestWebSocketDeflateBomb(t *testing.T) {
	var d deflater
	bomb := d.message(t, strings.Repeat("\x00", 65<<20))
	next := d.message(t, "tiny")
	stream := append(frame(true, true, 2, bomb, nil), frame(true, true, 1, next, nil)...)
	got := readWS(&wire.WebSocket{Dir: store.MessageReceive, Deflate: &wire.Deflate{}}, stream, 0)
	if len(got) != 2 || got[0].Size != -1 || !strings.Contains(got[0].Note, "more than") || len(got[0].Data) != store.MaxMessageData {
		t.Fatalf("bomb: %+v", got[0])
	}
	if got[1].Size != -1 || !strings.Contains(got[1].Note, "earlier messages") {
		t.Fatalf("after the bomb: %+v", got[1])
	}
}
