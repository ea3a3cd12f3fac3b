package wire

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// WebSocket follows one direction of a WebSocket connection after its
// opening handshake (RFC 6455 §5): it reads frame heads, unmasks what the
// browser sent (§5.3), joins a data message's fragments (§5.4) and hands
// each message to Emit with the first store.MaxMessageData bytes of its
// payload, decompressed when permessage-deflate compressed it (RFC 7692).
// Control frames (close, ping, pong, §5.5) are messages of their own. It
// copies nothing else, and stops for good at a frame it cannot follow,
// emitting one message that says so: what comes after is not attributed.
type WebSocket struct {
	Dir string // store.MessageSend or store.MessageReceive
	// Deflate is the compression this direction's messages may use;
	// nil when permessage-deflate was not negotiated.
	Deflate *Deflate
	Emit    func(store.Message) // required

	head    [14]byte
	nhead   int
	remain  int64 // payload bytes of the current frame still to come
	mask    [4]byte
	masked  bool
	maskPos int
	op      int // the current frame's opcode
	fin     bool
	msg     wsMessage // the data message being assembled
	ctl     wsMessage // the control frame being read
	window  []byte    // the last 32 KiB this direction decompressed
	lost    bool      // a message was too large to decompress: the window is gone
	stopped bool
}

// Deflate is a direction's permessage-deflate parameters (RFC 7692 §7.1).
type Deflate struct {
	// NoContextTakeover is true when each message is compressed on its
	// own (server_no_context_takeover for the server's messages,
	// client_no_context_takeover for the client's).
	NoContextTakeover bool
}

// wsMessage is a message being read.
type wsMessage struct {
	op         int
	compressed bool
	wire       int64  // payload bytes so far
	data       []byte // the first MaxMessageData bytes (uncompressed messages)
	deflated   []byte // the compressed payload, up to maxDeflatedMessage
	over       bool   // the compressed payload passed maxDeflatedMessage
	started    bool
}

// maxDeflatedMessage bounds the compressed payload kept to decompress one
// message; maxInflated bounds what one message may decompress to (a
// deflate bomb inflates a thousandfold). Past either, the message says so
// and, with context takeover, later ones cannot be decompressed either:
// their window is lost.
const (
	maxDeflatedMessage = 4 << 20
	maxInflated        = 64 << 20
	deflateWindow      = 32 << 10 // RFC 1951's largest window
)

// Feed reads p, which crossed at at.
func (w *WebSocket) Feed(p []byte, at time.Time) {
	for len(p) > 0 && !w.stopped {
		if w.remain == 0 && w.nhead >= 0 {
			n, err := w.readHead(p)
			p = p[n:]
			if err != nil {
				w.stop(err, at)
				return
			}
			if w.nhead > 0 { // the head is not complete yet
				return
			}
			w.nhead = -1 // the payload follows
		}
		n := min(int64(len(p)), w.remain)
		w.payload(p[:n])
		p, w.remain = p[n:], w.remain-n
		if w.remain == 0 {
			w.frameEnd(at)
		}
	}
}

// readHead reads as much of a frame head as p holds (RFC 6455 §5.2). It
// leaves nhead at 0 with the frame's fields set once the head is whole.
func (w *WebSocket) readHead(p []byte) (int, error) {
	used := 0
	for {
		need := 2
		if w.nhead >= 2 {
			need = headLen(w.head[0], w.head[1])
		}
		if w.nhead == need {
			break
		}
		if used == len(p) {
			return used, nil
		}
		k := copy(w.head[w.nhead:need], p[used:])
		w.nhead += k
		used += k
	}
	h := w.head[:w.nhead]
	w.nhead = 0
	return used, w.startFrame(h)
}

// headLen is a frame head's length from its first two bytes.
func headLen(b0, b1 byte) int {
	n := 2
	switch b1 & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&0x80 != 0 {
		n += 4
	}
	return n
}

func (w *WebSocket) startFrame(h []byte) error {
	w.fin, w.op = h[0]&0x80 != 0, int(h[0]&0x0f)
	rsv1 := h[0]&0x40 != 0
	w.masked = h[1]&0x80 != 0
	size, rest := int64(h[1]&0x7f), h[2:]
	switch size {
	case 126:
		size, rest = int64(binary.BigEndian.Uint16(rest)), rest[2:]
	case 127:
		u := binary.BigEndian.Uint64(rest)
		if u > 1<<62 {
			return fmt.Errorf("a frame announces %d bytes", u)
		}
		size, rest = int64(u), rest[8:]
	}
	if w.masked {
		copy(w.mask[:], rest)
	}
	w.remain, w.maskPos = size, 0
	switch {
	case h[0]&0x30 != 0:
		return errors.New("a frame uses RSV2 or RSV3, which no extension glassbox knows defines")
	case w.op >= 8 && (!w.fin || size > 125 || rsv1):
		return errors.New("a control frame is fragmented, compressed or longer than 125 bytes (RFC 6455 §5.5)")
	case w.op >= 8:
		w.ctl = wsMessage{op: w.op, started: true}
	case w.op == 0 && !w.msg.started:
		return errors.New("a continuation frame arrives with no message to continue (RFC 6455 §5.4)")
	case w.op == 0 && rsv1:
		return errors.New("a continuation frame sets RSV1 (RFC 7692 §6.1)")
	case w.op == 1 || w.op == 2:
		if w.msg.started {
			return errors.New("a new message starts before the last one ended (RFC 6455 §5.4)")
		}
		if rsv1 && w.Deflate == nil {
			return errors.New("a frame is compressed (RSV1) though no compression was negotiated")
		}
		w.msg = wsMessage{op: w.op, compressed: rsv1, started: true}
	case w.op != 0:
		return fmt.Errorf("a frame has opcode %d, which RFC 6455 §5.2 reserves", w.op)
	}
	if w.remain == 0 {
		w.nhead = -1 // an empty payload: frameEnd comes next
	}
	return nil
}

// payload takes part of the current frame's payload.
func (w *WebSocket) payload(p []byte) {
	m := &w.msg
	if w.op >= 8 {
		m = &w.ctl
	}
	var buf [4096]byte
	for len(p) > 0 {
		chunk := p[:min(len(p), len(buf))]
		p = p[len(chunk):]
		b := chunk
		if w.masked {
			b = buf[:len(chunk)]
			for i, c := range chunk {
				b[i] = c ^ w.mask[(w.maskPos+i)&3]
			}
			w.maskPos = (w.maskPos + len(chunk)) & 3
		}
		m.take(b)
	}
}

func (m *wsMessage) take(b []byte) {
	m.wire += int64(len(b))
	if !m.compressed {
		if keep := store.MaxMessageData - len(m.data); keep > 0 {
			m.data = append(m.data, b[:min(keep, len(b))]...)
		}
		return
	}
	if m.over || len(m.deflated)+len(b) > maxDeflatedMessage {
		m.over, m.deflated = true, nil
		return
	}
	m.deflated = append(m.deflated, b...)
}

// frameEnd closes a frame: a control frame, or a data message's last
// fragment, is a message.
func (w *WebSocket) frameEnd(at time.Time) {
	w.nhead = 0
	switch {
	case w.op >= 8:
		w.emit(&w.ctl, at)
		w.ctl = wsMessage{}
	case w.fin:
		w.emit(&w.msg, at)
		w.msg = wsMessage{}
	}
}

func (w *WebSocket) emit(m *wsMessage, at time.Time) {
	out := store.Message{At: at, Dir: w.Dir, Opcode: m.op, Size: m.wire, WireSize: m.wire, Compressed: m.compressed, Data: m.data}
	if m.compressed {
		w.inflate(m, &out)
	}
	w.Emit(out)
}

// inflate decompresses a message (RFC 7692 §7.2.2: the payload, with
// 0x00 0x00 0xff 0xff appended, is a DEFLATE stream that continues the
// direction's earlier ones unless context takeover is off).
func (w *WebSocket) inflate(m *wsMessage, out *store.Message) {
	takeover := !w.Deflate.NoContextTakeover
	out.Size = -1
	switch {
	case takeover && w.lost:
		out.Note = "compressed against earlier messages glassbox could not decompress, so neither can this one be"
		return
	case m.over:
		out.Note = fmt.Sprintf("compressed, and larger than the %d MiB glassbox decompresses", maxDeflatedMessage>>20)
		w.lost = takeover
		return
	}
	var dict []byte
	if takeover {
		dict = w.window
	}
	src := io.MultiReader(bytes.NewReader(m.deflated), bytes.NewReader([]byte{0, 0, 0xff, 0xff}))
	r := flate.NewReaderDict(src, dict)
	var keep tail
	keep.head = make([]byte, 0, store.MaxMessageData)
	n, err := io.Copy(&keep, io.LimitReader(r, maxInflated+1))
	switch {
	case n > maxInflated:
		out.Note = fmt.Sprintf("decompresses to more than the %d MiB glassbox follows", maxInflated>>20)
		w.lost = takeover
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		out.Note = "does not decompress: " + err.Error()
		w.lost = takeover
	default:
		out.Size = n
	}
	out.Data = keep.head
	if takeover && !w.lost {
		w.window = append(w.window[:0:0], dict...)
		w.window = append(w.window, keep.last...)
		if len(w.window) > deflateWindow {
			w.window = w.window[len(w.window)-deflateWindow:]
		}
	}
}

// tail keeps the first MaxMessageData bytes written to it and the last
// deflateWindow bytes.
type tail struct {
	head, last []byte
}

func (t *tail) Write(p []byte) (int, error) {
	if keep := cap(t.head) - len(t.head); keep > 0 {
		t.head = append(t.head, p[:min(keep, len(p))]...)
	}
	t.last = append(t.last, p...)
	if len(t.last) > 2*deflateWindow {
		t.last = append(t.last[:0], t.last[len(t.last)-deflateWindow:]...)
	}
	return len(p), nil
}

// stop gives up on the stream and says so in a message of its own.
func (w *WebSocket) stop(err error, at time.Time) {
	w.stopped = true
	w.Emit(store.Message{At: at, Dir: w.Dir, Size: -1, Note: "glassbox lost track of the frames here, and shows none after: " + err.Error()})
}

// Stopped reports whether the stream left what Feed can follow.
func (w *WebSocket) Stopped() bool { return w.stopped }
