package proxy

import (
	"bytes"
	"hash/crc32"
	"io"
	"testing"
	"time"
	"unsafe"
)

// A released buffer's memory is lent again; what it lends holds exactly
// what was captured, summed and padded to whole aligned blocks.
func TestCaptureBufferLentAgain(t *testing.T) {
	var p capPools
	n := int64(100<<10 + 7)
	c := p.get(n)
	if c == nil {
		t.Fatal("no buffer for 100 KiB")
	}
	if got := len(c.piece.mem); got != 128<<10 {
		t.Fatalf("class of %d bytes: %d, want 128 KiB", n, got)
	}
	data := bytes.Repeat([]byte("glassbox"), int(n)/8+1)[:n]
	for rest := data; len(rest) > 0; {
		k := copy(c.room(n), rest[:min(len(rest), 3000)])
		c.captured(k)
		rest = rest[k:]
	}
	if len(c.room(n)) != 0 {
		t.Fatalf("room left after %d of %d bytes", c.n, n)
	}
	if !bytes.Equal(c.data(), data) || c.CRC32C() != crc32.Checksum(data, castagnoli) {
		t.Fatal("captured bytes or their CRC-32C differ from what was written")
	}
	blocks := c.Blocks()
	if len(blocks)%4096 != 0 || uintptr(unsafe.Pointer(&blocks[0]))%4096 != 0 {
		t.Fatalf("Blocks: %d bytes at %p, want whole aligned 4 KiB blocks", len(blocks), &blocks[0])
	}
	if !bytes.Equal(blocks[:n], data) || bytes.ContainsFunc(blocks[n:], func(r rune) bool { return r != 0 }) {
		t.Fatal("Blocks is not the data followed by zeros")
	}
	mem := &c.piece.mem[0]
	c.Release()
	again := p.get(n)
	if again == nil || &again.piece.mem[0] != mem {
		t.Fatal("the released buffer was not lent again")
	}
	if again.n != 0 || again.crc != 0 {
		t.Fatal("a buffer lent again starts with what the last capture left")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a second Release did not panic")
			}
		}()
		c.Release()
	}()
}

// Sizes outside the classes get no buffer, and the pool stops mapping at
// its cap: bodies then keep slices of their own.
func TestCaptureBufferBounds(t *testing.T) {
	var p capPools
	for _, n := range []int64{capMin - 1, capMax + 1} {
		if c := p.get(n); c != nil {
			t.Errorf("a buffer for %d bytes, outside %d..%d", n, capMin, capMax)
		}
	}
	lent := 0
	for range capPool/capMax + 1 {
		if p.get(capMax) != nil {
			lent++
		}
	}
	if lent != capPool/capMax {
		t.Fatalf("lent %d buffers of 2 MiB, want the cap's %d", lent, capPool/capMax)
	}
	if p.get(capMin) != nil {
		t.Fatal("a buffer past the cap")
	}
}

// Memory free for capIdle goes back to the system (and reads as zeros);
// memory freed since does not.
func TestCaptureBufferTrim(t *testing.T) {
	var p capPools
	old, recent := p.get(capMin), p.get(capMin)
	copy(old.room(capMin), "old")
	copy(recent.room(capMin), "recent")
	old.Release()
	recent.Release()
	now := time.Now()
	old.piece.freed = now.Add(-capIdle - time.Second)
	if again := p.trimAt(now); !again {
		t.Error("no trim due while a buffer is free and not given back")
	}
	if !old.piece.idle || recent.piece.idle {
		t.Fatalf("given back: old %v, recent %v; want only the old one", old.piece.idle, recent.piece.idle)
	}
	if string(recent.piece.mem[:6]) != "recent" {
		t.Error("the recent buffer lost its bytes")
	}
	if unbacks && !bytes.Equal(old.piece.mem[:3], []byte{0, 0, 0}) {
		t.Errorf("the old buffer still holds %q after going back to the system", old.piece.mem[:3])
	}
	if again := p.trimAt(now.Add(2 * capIdle)); again {
		t.Error("a trim is still due once every free buffer went back")
	}
}

// lastPiece is an origin's body whose last read brings bytes and io.EOF
// together, as net/http's body reader does at a Content-Length.
type lastPiece struct{ data []byte }

func (r *lastPiece) Read(p []byte) (int, error) {
	n := copy(p, r.data)
	r.data = r.data[n:]
	if len(r.data) == 0 {
		return n, io.EOF
	}
	return n, nil
}
func (r *lastPiece) Close() error { return nil }

// onlyWriter writes, and can do nothing else (no ReadFrom, no Flush).
type onlyWriter struct{ b bytes.Buffer }

func (w *onlyWriter) Write(p []byte) (int, error) { return w.b.Write(p) }

// The end of a body hands its capture buffer to the recorder, which may
// lend it to another body at once: the last bytes, read straight into
// the buffer, reach the browser before that, not after.
func TestLastBytesPassBeforeTheBufferIsGivenBack(t *testing.T) {
	var p capPools
	body := bytes.Repeat([]byte("glassbox"), (100<<10)/8)
	c := p.get(int64(len(body)))
	if c == nil {
		t.Fatal("no buffer")
	}
	tee := newTee(&lastPiece{data: bytes.Clone(body)}, int64(len(body)), func(tt *tee, _ error) {
		// What another body does with the memory once it is lent again.
		clear(c.piece.mem)
	})
	tee.cb = c
	tee.expect(int64(len(body)))
	var w onlyWriter
	if _, err := tee.WriteTo(&w); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(w.b.Bytes(), body) {
		t.Errorf("the browser got %d bytes, not the body's %d as they came", w.b.Len(), len(body))
	}
}
