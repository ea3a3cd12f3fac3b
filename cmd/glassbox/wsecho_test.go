package main_test

import (
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha1"
	"encoding/base64"
	be "encoding/binary"
	"io"
	"net/http"
	"strings"
	"time"
)

// The fixture site's live endpoints: a WebSocket that echoes every
// message (RFC 6455), accepting permessage-deflate without context
// takeover (RFC 7692 §7.1.1), and an event stream of three events.

// webSocketGUID is the constant of the opening handshake (RFC 6455 §1.3).
const webSocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// serveEcho answers the handshake and echoes up to 100 frames, or until
// a close, which it answers with the same code and reason.
func serveEcho(w http.ResponseWriter, r *http.Request) int {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		http.Error(w, "a WebSocket only", http.StatusBadRequest)
		return http.StatusBadRequest
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return http.StatusInternalServerError
	}
	defer conn.Close()
	sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + webSocketGUID))
	head := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n"
	deflate := strings.Contains(r.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate")
	if deflate {
		head += "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n"
	}
	io.WriteString(conn, head+"\r\n")
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	for range 100 {
		op, compressed, p, err := readClientFrame(brw.Reader)
		if err != nil {
			return http.StatusSwitchingProtocols
		}
		if compressed {
			if p, err = io.ReadAll(flate.NewReader(io.MultiReader(bytes.NewReader(p), bytes.NewReader([]byte{0, 0, 0xff, 0xff})))); err != nil && err != io.ErrUnexpectedEOF {
				return http.StatusSwitchingProtocols
			}
		}
		if op == 9 {
			op = 10
		}
		conn.Write(serverFrame(op, p, deflate && op < 8))
		if op == 8 {
			return http.StatusSwitchingProtocols
		}
	}
	return http.StatusSwitchingProtocols
}

// readClientFrame reads one whole, masked frame.
func readClientFrame(r *bufio.Reader) (op byte, compressed bool, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(r, h[:]); err != nil {
		return
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		_, err = io.ReadFull(r, l[:])
		n = uint64(be.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		_, err = io.ReadFull(r, l[:])
		n = be.BigEndian.Uint64(l[:])
	}
	var key [4]byte
	if err == nil {
		_, err = io.ReadFull(r, key[:])
	}
	if err != nil || n > 1<<20 {
		return 0, false, nil, io.ErrUnexpectedEOF
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(r, payload); err != nil {
		return
	}
	for i := range payload {
		payload[i] ^= key[i%4]
	}
	return h[0] & 0x0f, h[0]&0x40 != 0, payload, nil
}

// serverFrame is one unmasked frame, its payload compressed on its own
// when compress is set.
func serverFrame(op byte, p []byte, compress bool) []byte {
	b0 := 0x80 | op
	if compress {
		var buf bytes.Buffer
		fw, _ := flate.NewWriter(&buf, flate.BestSpeed)
		fw.Write(p)
		fw.Flush()
		p = bytes.TrimSuffix(buf.Bytes(), []byte{0, 0, 0xff, 0xff})
		b0 |= 0x40
	}
	out := []byte{b0}
	switch n := len(p); {
	case n < 126:
		out = append(out, byte(n))
	case n < 1<<16:
		out = append(out, 126)
		out = be.BigEndian.AppendUint16(out, uint16(n))
	default:
		out = append(out, 127)
		out = be.BigEndian.AppendUint64(out, uint64(n))
	}
	return append(out, p...)
}

// serveEvents writes three events, a moment apart: two ticks and a
// message, after which the page closes its EventSource.
func serveEvents(w http.ResponseWriter) int {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	for _, ev := range []string{"event: tick\nid: 1\ndata: one\n\n", "event: tick\nid: 2\ndata: two\n\n", ": the last\ndata: last\n\n"} {
		io.WriteString(w, ev)
		http.NewResponseController(w).Flush()
		time.Sleep(50 * time.Millisecond)
	}
	return http.StatusOK
}
