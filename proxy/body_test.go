package proxy

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"testing"
	"testing/iotest"
)

// chunky returns data in pieces of random sizes, as a network body does.
type chunky struct {
	r   *bytes.Reader
	rnd *rand.Rand
	err error // returned instead of io.EOF at the end, when set
}

func (c *chunky) Read(p []byte) (int, error) {
	if c.r.Len() == 0 {
		if c.err != nil {
			return 0, c.err
		}
		return 0, io.EOF
	}
	n := 1 + c.rnd.Intn(9000)
	if n > len(p) {
		n = len(p)
	}
	return c.r.Read(p[:n])
}

func (c *chunky) Close() error { return nil }

func testBody(n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(int64(n))).Read(b)
	return b
}

// A body of unknown length is captured up to max, exactly, and the
// capture buffer never grows past max however the body arrives; Read and
// WriteTo (what io.Copy uses) capture and forward the same bytes.
func TestTeeCapturesChunkedBody(t *testing.T) {
	const max = 100 << 10
	for _, size := range []int{0, 1, 4095, 4097, max - 1, max, max + 1, 300 << 10} {
		data := testBody(size)
		for _, useWriteTo := range []bool{false, true} {
			var doneErr error
			calls := 0
			tr := newTee(&chunky{r: bytes.NewReader(data), rnd: rand.New(rand.NewSource(1))}, max, func(_ *tee, err error) { calls++; doneErr = err })
			var out bytes.Buffer
			var err error
			if useWriteTo {
				_, err = io.Copy(&out, tr) // takes tr.WriteTo
			} else {
				_, err = io.Copy(&out, iotest.OneByteReader(tr))
			}
			if err != nil {
				t.Fatalf("size %d writeTo=%v: %v", size, useWriteTo, err)
			}
			if !bytes.Equal(out.Bytes(), data) {
				t.Fatalf("size %d writeTo=%v: forwarded %d bytes that differ from the %d sent", size, useWriteTo, out.Len(), size)
			}
			b := tr.body()
			keep := min(size, max)
			if !bytes.Equal(b.Data, data[:keep]) || b.Size != int64(size) || b.Truncated != (size > max) {
				t.Fatalf("size %d writeTo=%v: captured %d bytes (size %d, truncated %v); want the first %d", size, useWriteTo, len(b.Data), b.Size, b.Truncated, keep)
			}
			if cap(tr.buf) > max {
				t.Fatalf("size %d: capture buffer grew to %d, past max %d", size, cap(tr.buf), max)
			}
			if calls != 1 || doneErr != nil {
				t.Fatalf("size %d writeTo=%v: done called %d times, err %v; want once, nil", size, useWriteTo, calls, doneErr)
			}
		}
	}
}

// A body that fails midway through WriteTo reports the failure to the flow
// and to the copier, with what arrived before it forwarded and captured.
func TestTeeWriteToError(t *testing.T) {
	boom := errors.New("connection reset")
	data := testBody(50 << 10)
	var doneErr error
	tr := newTee(&chunky{r: bytes.NewReader(data), rnd: rand.New(rand.NewSource(2)), err: boom}, 1<<20, func(_ *tee, err error) { doneErr = err })
	var out bytes.Buffer
	n, err := tr.WriteTo(&out)
	if !errors.Is(err, boom) || !errors.Is(doneErr, boom) {
		t.Fatalf("WriteTo err %v, done err %v; want %v for both", err, doneErr, boom)
	}
	if n != int64(len(data)) || !bytes.Equal(out.Bytes(), data) || !bytes.Equal(tr.body().Data, data) {
		t.Fatalf("forwarded %d, captured %d of %d bytes before the error", n, len(tr.body().Data), len(data))
	}
}
