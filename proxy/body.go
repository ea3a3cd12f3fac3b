package proxy

import (
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/glassbox-dev/glassbox/store"
)

// errClosedEarly marks a body closed before its end: the reader (the
// browser's side) gave up.
var errClosedEarly = errors.New("body closed before its end")

// tee streams a body through unchanged while keeping a capped copy and the
// true size. It also passes Write through (io.ReadWriter): goproxy relays a
// websocket only when the body of the 101 Switching Protocols response is
// an io.ReadWriter, writing the browser's frames into it; otherwise it
// logs "Unable to use Websocket connection" and drops the connection.
type tee struct {
	rc      io.ReadCloser
	max     int64 // bytes to keep; <0 keeps none
	buf     []byte
	n       int64 // bytes read
	written int64 // bytes written (websockets: client to origin)
	// want is the announced length (Content-Length), -1 when unknown: a
	// body closed after exactly that many bytes is complete even if nobody
	// read the EOF.
	want   int64
	onDone func(*tee, error)
	once   sync.Once
	// delegated is set once WriteTo has handed the copy to the
	// destination's ReadFrom (only WriteTo's goroutine touches it).
	delegated bool
	mu        sync.Mutex // Read and Write may run on different goroutines (websockets)
	// tap reads the messages of a WebSocket or an event stream from the
	// bytes as they pass (messages.go); nil for other bodies.
	tap *messageTap
	// cb is the capture buffer the copy goes into (capbuf.go), nil when
	// the copy is a slice of its own (buf).
	cb *capBuf
}

var _ io.ReadWriteCloser = (*tee)(nil)

func newTee(rc io.ReadCloser, max int64, onDone func(*tee, error)) *tee {
	return &tee{rc: rc, max: max, onDone: onDone, want: -1}
}

// expect records the announced length and sizes the capture once for it,
// so a large body is not copied again at each growth of the buffer (a
// capture buffer, cb, is sized already).
func (t *tee) expect(n int64) {
	t.want = n
	if n > 0 && t.max > 0 && t.buf == nil && t.cb == nil {
		t.buf = make([]byte, 0, min(n, t.max))
	}
}

func (t *tee) Read(p []byte) (int, error) {
	n, err := t.rc.Read(p)
	t.took(p[:n], false, err)
	return n, err
}

// took counts, captures and taps p, what a read from the origin brought,
// and ends the body at its error. inPlace says p was read straight into
// the capture buffer (WriteTo).
func (t *tee) took(p []byte, inPlace bool, err error) {
	if len(p) > 0 {
		t.mu.Lock()
		t.n += int64(len(p))
		switch {
		case inPlace:
			t.cb.captured(len(p))
		case t.cb != nil:
			t.cb.captured(copy(t.cb.room(t.max), p))
		default:
			if keep := t.max - int64(len(t.buf)); keep > 0 {
				keep = min(keep, int64(len(p)))
				t.grow(int(keep))
				t.buf = append(t.buf, p[:keep]...)
			}
		}
		t.mu.Unlock()
		if t.tap != nil {
			t.tap.fromOrigin(p)
		}
	}
	if err == io.EOF {
		t.done(nil)
	} else if err != nil {
		t.done(err)
	}
}

// grow makes room for n more captured bytes. Without a Content-Length the
// size is found as the body arrives: doubling (capped at max) copies each
// byte about once, where append's growth of large slices by a quarter
// allocated five times a 1 MiB chunked body's size.
func (t *tee) grow(n int) {
	need := len(t.buf) + n
	if need <= cap(t.buf) {
		return
	}
	c := max(2*cap(t.buf), need, 4<<10)
	if int64(c) > t.max {
		c = int(t.max)
	}
	nb := make([]byte, len(t.buf), c)
	copy(nb, t.buf)
	t.buf = nb
}

// copyBufs are WriteTo's buffers. io.Copy from a body that cannot write
// itself allocates 32 KiB per response (goproxy copies plain-HTTP and
// HTTP/2 responses that way): the largest allocation of a small request.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// bigCopyBufs are WriteTo's buffers for bodies announced at bigCopy or
// more: a 1 MiB body through 32 KiB took 64 system calls (a read and a
// write per piece, each piece flushed); through 256 KiB it takes as few
// as the socket's buffers allow.
var bigCopyBufs = sync.Pool{New: func() any { b := make([]byte, bigCopy); return &b }}

const bigCopy = 256 << 10

// WriteTo implements io.WriterTo, so that io.Copy uses a pooled buffer
// instead of allocating 32 KiB per response. It reads exactly as Read does
// (capture, size, end of body) and writes each piece as soon as it arrives.
//
// A response writer (http.Flusher) holds small writes in its buffers, so
// after each read, while more of the body is still to come, it is flushed:
// a response that pauses mid-body reaches the browser up to the pause
// instead of keeping its last bytes in glassbox until the origin sends
// more (TestPausedStreamReachesClientThroughGuard). A flush with nothing
// buffered writes nothing, and a body read in one piece is not flushed
// early, so a small response's head and body still leave in one write.
// Any other destination that can read for itself still does, as io.Copy
// would have let it.
func (t *tee) WriteTo(w io.Writer) (int64, error) {
	fl, flushes := w.(http.Flusher)
	if rf, ok := w.(io.ReaderFrom); ok && !flushes && !t.delegated {
		// Once only: a ReadFrom that copies back with io.Copy(dst, t)
		// lands in the loop below instead of here again.
		t.delegated = true
		return rf.ReadFrom(t)
	}
	var total int64
	if t.cb != nil {
		// Read straight into the capture buffer and write from it: the
		// copy costs no copying.
		for {
			room := t.cb.room(t.max)
			if len(room) == 0 {
				break // kept all it keeps; the rest goes through a buffer
			}
			n, rerr := t.rc.Read(room[:min(len(room), bigCopy)])
			// The bytes go to the browser before the body's end is taken:
			// taking it records the flow, and the recorder may hand the
			// buffer to another body at once (a last read brings bytes
			// and io.EOF together).
			t.took(room[:n], true, nil)
			done, err := t.pass(w, fl, room[:n], rerr, &total)
			t.took(nil, true, rerr)
			if done {
				return total, err
			}
		}
	}
	pool := &copyBufs
	if t.want >= bigCopy {
		pool = &bigCopyBufs
	}
	bp := pool.Get().(*[]byte)
	defer pool.Put(bp)
	buf := *bp
	for {
		n, rerr := t.Read(buf)
		if done, err := t.pass(w, fl, buf[:n], rerr, &total); done {
			return total, err
		}
	}
}

// pass writes p, what one read brought, to w, flushing it while more of
// the body is to come, and says whether WriteTo is done: at the read's
// error (io.EOF ends it without one) or a failed write.
func (t *tee) pass(w io.Writer, fl http.Flusher, p []byte, rerr error, total *int64) (bool, error) {
	if len(p) > 0 {
		nw, werr := w.Write(p)
		*total += int64(nw)
		if werr != nil {
			return true, werr
		}
		if nw != len(p) {
			return true, io.ErrShortWrite
		}
		if fl != nil && rerr == nil && !t.complete() {
			fl.Flush()
		}
	}
	if rerr == io.EOF {
		return true, nil
	}
	return rerr != nil, rerr
}

// complete reports whether the announced length has been read.
func (t *tee) complete() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.want >= 0 && t.n >= t.want
}

// Write passes client bytes to the origin on an upgraded connection.
func (t *tee) Write(p []byte) (int, error) {
	w, ok := t.rc.(io.Writer)
	if !ok {
		return 0, errors.New("body is not writable")
	}
	// Counted before the write: the origin may answer these bytes and
	// close, ending the body and recording the flow, before Write returns.
	t.mu.Lock()
	t.written += int64(len(p))
	t.mu.Unlock()
	if t.tap != nil {
		t.tap.fromBrowser(p)
	}
	n, err := w.Write(p)
	if n < len(p) {
		t.mu.Lock()
		t.written -= int64(len(p) - n)
		t.mu.Unlock()
	}
	return n, err
}

func (t *tee) Close() error {
	err := t.rc.Close()
	t.mu.Lock()
	complete := t.want >= 0 && t.n == t.want
	t.mu.Unlock()
	if complete {
		t.done(nil)
	} else {
		t.done(errClosedEarly)
	}
	return err
}

func (t *tee) done(err error) {
	t.once.Do(func() {
		if t.onDone != nil {
			t.onDone(t, err)
		}
	})
}

// body returns the stored copy.
func (t *tee) body() store.Body {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cb != nil {
		data := t.cb.data()
		return store.Body{Data: data, Size: t.n, Truncated: t.n > int64(len(data)), Buffer: t.cb}
	}
	return store.Body{Data: t.buf, Size: t.n, Truncated: t.n > int64(len(t.buf))}
}

// progress is the body so far, for a flow in flight: its size, no data.
func (t *tee) progress() store.Body {
	t.mu.Lock()
	defer t.mu.Unlock()
	return store.Body{Size: t.n}
}

// writtenSoFar is what went the other way (a WebSocket's browser to
// origin bytes).
func (t *tee) writtenSoFar() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.written
}
