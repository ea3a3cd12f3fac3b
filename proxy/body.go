package proxy

import (
	"errors"
	"io"
	"sync"

	"github.com/glassbox-dev/glassbox/store"
)

// errClosedEarly marks a body closed before its end: the reader (the
// browser's side) gave up.
var errClosedEarly = errors.New("body closed before its end")

// tee streams a body through unchanged while keeping a capped copy and the
// true size. It also passes Write through (io.ReadWriter), which the body of
// a 101 Switching Protocols response needs for websockets (FIELD-NOTES).
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
	mu     sync.Mutex // Read and Write may run on different goroutines (websockets)
}

func newTee(rc io.ReadCloser, max int64, onDone func(*tee, error)) *tee {
	return &tee{rc: rc, max: max, onDone: onDone, want: -1}
}

// expect records the announced length and sizes the capture once for it,
// so a large body is not copied again at each growth of the buffer.
func (t *tee) expect(n int64) {
	t.want = n
	if n > 0 && t.max > 0 && t.buf == nil {
		t.buf = make([]byte, 0, min(n, t.max))
	}
}

func (t *tee) Read(p []byte) (int, error) {
	n, err := t.rc.Read(p)
	if n > 0 {
		t.mu.Lock()
		t.n += int64(n)
		if keep := t.max - int64(len(t.buf)); keep > 0 {
			if int64(n) < keep {
				keep = int64(n)
			}
			t.buf = append(t.buf, p[:keep]...)
		}
		t.mu.Unlock()
	}
	if err == io.EOF {
		t.done(nil)
	} else if err != nil {
		t.done(err)
	}
	return n, err
}

// Write passes client bytes to the origin on an upgraded connection.
func (t *tee) Write(p []byte) (int, error) {
	w, ok := t.rc.(io.Writer)
	if !ok {
		return 0, errors.New("body is not writable")
	}
	n, err := w.Write(p)
	t.mu.Lock()
	t.written += int64(n)
	t.mu.Unlock()
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
	return store.Body{Data: t.buf, Size: t.n, Truncated: t.n > int64(len(t.buf))}
}
