package proxy

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// intakeWriter answers a request the intake serves (intake.go), framed as
// net/http's HTTP/1.1 server frames it (its chunkWriter.writeHeader): the
// status line with Go's reason phrase; the handler's fields in sorted
// order, then Date when the handler set none, Content-Length or
// "Transfer-Encoding: chunked", and "Connection: close" when the
// connection closes after. A response of unknown length is held up to
// intakeHold bytes: whole by then, it goes with a Content-Length, else
// chunked (a Flush sends it chunked at once). HEAD, 1xx, 204 and 304
// carry no body, and a 304 no Content-Type (RFC 9110 §15.4.5). Trailers
// go after the last chunk: those the handler announced in Trailer, and
// those under http.TrailerPrefix.
type intakeWriter struct {
	bw  *bufio.Writer
	req *http.Request
	h   http.Header

	status  int
	head    http.Header // the fields as of WriteHeader, when the head waits
	wrote   bool        // the head is written
	noBody  bool
	chunked bool
	length  int64 // the declared Content-Length, or -1
	sent    int64 // body bytes passed on
	hold    []byte
	close   bool  // the connection closes after this response
	err     error // writing to the browser failed
	scratch [64]byte
}

// intakeHold is how much of a body of unknown length is held to send it
// with a Content-Length (net/http's bufferBeforeChunkingSize).
const intakeHold = 2048

var errIntakeLength = errors.New("glassbox: response body longer than its Content-Length")

// reset readies w for req; the field map is the last request's, emptied
// (nothing keeps it past finish).
func (w *intakeWriter) reset(req *http.Request) {
	h := w.h
	if h == nil {
		h = http.Header{}
	}
	clear(h)
	*w = intakeWriter{bw: w.bw, req: req, h: h, hold: w.hold[:0], length: -1}
}

func (w *intakeWriter) Header() http.Header { return w.h }

func (w *intakeWriter) WriteHeader(code int) {
	if w.status != 0 || code < 100 || code > 999 {
		return
	}
	if code < 200 {
		return // interim answers are not passed on here (goproxy's handler sends none)
	}
	w.status = code
	w.noBody = w.req.Method == http.MethodHead || code == http.StatusNoContent || code == http.StatusNotModified
	if cl := w.h.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			w.length = n
		}
	}
	te := w.h.Get("Transfer-Encoding")
	if w.noBody || w.length >= 0 || (te != "" && te != "identity") || len(w.h["Trailer"]) > 0 {
		w.writeHead(false) // the framing is known now
		return
	}
	w.head = w.h.Clone() // held: what the head says is what it said now
}

func (w *intakeWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.noBody {
		return len(p), nil
	}
	if !w.wrote {
		if len(w.hold)+len(p) <= intakeHold {
			w.hold = append(w.hold, p...)
			return len(p), nil
		}
		w.writeHead(false)
	}
	return w.body(p)
}

// body writes p as the framing says.
func (w *intakeWriter) body(p []byte) (int, error) {
	if w.length >= 0 && w.sent+int64(len(p)) > w.length {
		w.close, w.err = true, errIntakeLength
		return 0, w.err
	}
	w.sent += int64(len(p))
	if w.chunked && len(p) > 0 {
		w.bw.Write(strconv.AppendInt(w.scratch[:0], int64(len(p)), 16))
		w.bw.WriteString("\r\n")
		w.bw.Write(p)
		_, w.err = w.bw.WriteString("\r\n")
	} else {
		_, w.err = w.bw.Write(p)
	}
	if w.err != nil {
		w.close = true
		return 0, w.err
	}
	return len(p), nil
}

// Flush sends what is written so far: a held body goes chunked.
func (w *intakeWriter) Flush() {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.wrote {
		w.writeHead(false)
	}
	if w.err == nil {
		if w.err = w.bw.Flush(); w.err != nil {
			w.close = true
		}
	}
}

// writeHead writes the status line and the fields; done: the handler has
// returned, so a held body's length is known.
func (w *intakeWriter) writeHead(done bool) {
	w.wrote = true
	h := w.fields()
	_, date := h["Date"]
	length := -1 // a Content-Length of glassbox's, for a held body
	te := h.Get("Transfer-Encoding")
	switch {
	case w.noBody:
		h.Del("Transfer-Encoding")
		if w.status == http.StatusNoContent || w.status == http.StatusNotModified {
			h.Del("Content-Length")
		}
		if w.status == http.StatusNotModified {
			h.Del("Content-Type")
		}
	case w.length >= 0 && (te == "" || te == "identity"):
		h.Del("Transfer-Encoding")
	case done && len(h["Trailer"]) == 0 && te == "":
		length = len(w.hold)
		w.length = int64(length)
	case te == "identity":
		w.close = true // delimited by the close (RFC 9112 §6.3)
		h.Del("Transfer-Encoding")
	default:
		w.chunked = true
		h.Del("Transfer-Encoding")
		h.Del("Content-Length")
		w.length = -1
	}
	if w.close || h.Get("Connection") == "close" {
		w.close = true
		h.Del("Connection")
	}
	w.statusLine()
	h.WriteSubset(w.bw, trailerPrefixed(h))
	// net/http's own fields, in its order, written in place: this runs
	// for every response.
	if !date {
		w.bw.WriteString("Date: ")
		w.bw.Write(time.Now().UTC().AppendFormat(w.scratch[:0], http.TimeFormat))
		w.bw.WriteString("\r\n")
	}
	if length >= 0 {
		w.bw.WriteString("Content-Length: ")
		w.bw.Write(strconv.AppendInt(w.scratch[:0], int64(length), 10))
		w.bw.WriteString("\r\n")
	}
	if w.close {
		w.bw.WriteString("Connection: close\r\n")
	}
	if w.chunked {
		w.bw.WriteString("Transfer-Encoding: chunked\r\n")
	}
	w.bw.WriteString("\r\n")
	if len(w.hold) > 0 {
		held := w.hold
		w.hold = w.hold[:0]
		w.body(held)
	}
}

// fields are the head's fields: as of WriteHeader when the head waited.
func (w *intakeWriter) fields() http.Header {
	if w.head != nil {
		return w.head
	}
	return w.h
}

// statusLine is net/http's: Go's reason phrase, or "status code N".
func (w *intakeWriter) statusLine() {
	text := http.StatusText(w.status)
	if text == "" {
		fmt.Fprintf(w.bw, "HTTP/1.1 %03d status code %d\r\n", w.status, w.status)
		return
	}
	w.bw.WriteString("HTTP/1.1 ")
	w.bw.Write(strconv.AppendInt(w.scratch[:0], int64(w.status), 10))
	w.bw.WriteByte(' ')
	w.bw.WriteString(text)
	w.bw.WriteString("\r\n")
}

// finish ends the response after the handler returned; false when the
// connection must close (a write failed, the body fell short of its
// Content-Length, the response is delimited by the close, or either side
// asked for it).
func (w *intakeWriter) finish() bool {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.wrote {
		w.writeHead(true)
	}
	if w.chunked && w.err == nil {
		w.bw.WriteString("0\r\n")
		w.trailers().Write(w.bw)
		w.bw.WriteString("\r\n")
	}
	if w.length >= 0 && !w.noBody && w.sent != w.length {
		w.close = true // the browser cannot tell where the next answer begins
	}
	if w.err == nil {
		w.err = w.bw.Flush()
	}
	return w.err == nil && !w.close
}

// trailers are those announced in the head's Trailer field and those set
// under http.TrailerPrefix (net/http's finalTrailers).
func (w *intakeWriter) trailers() http.Header {
	t := http.Header{}
	for k, vv := range w.h {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok {
			t[name] = vv
		}
	}
	for _, v := range w.fields()["Trailer"] {
		for _, name := range strings.Split(v, ",") {
			name = http.CanonicalHeaderKey(strings.TrimSpace(name))
			switch name {
			case "", "Transfer-Encoding", "Content-Length", "Trailer":
				continue
			}
			for _, v := range w.h[name] {
				t.Add(name, v)
			}
		}
	}
	return t
}

// trailerPrefixed are the fields of h that are trailers, not head fields.
func trailerPrefixed(h http.Header) map[string]bool {
	var ex map[string]bool
	for k := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			if ex == nil {
				ex = map[string]bool{}
			}
			ex[k] = true
		}
	}
	return ex
}
