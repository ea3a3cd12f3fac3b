package proxy

import (
	"hash/crc32"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/glassbox-dev/glassbox/store"
)

// Capture buffers: the memory a large response body is copied into as it
// crosses, lent to the recorder with the body (store.BodyBuffer) and
// reused once the recorder is done with it.
//
// Why (issue 20, profiles in docs/BENCHMARKS.md): with a fresh slice per
// body, 1 MiB bodies cost the collector's zeroing of each (3-5% of
// glassbox's CPU on large-4) and the body file's direct write pinned 256
// small pages per MiB. These buffers come from memory mapped apart from
// Go's heap in 2 MiB pieces the kernel is asked to back with huge pages
// (Linux, capbuf_linux.go): a direct write of 1 MiB from them cost 0.05-
// 0.09 ms of CPU against 0.11-0.14 from the heap, measured on the bench
// machine. The capture also sums the CRC-32C the body file keeps while
// each piece is still in the processor's cache (0.04 ms per MiB, against
// 0.09 for the writer summing it later from memory).
//
// Bodies get one when their length is announced, between capMin and
// capMax bytes kept, and nothing else reads their copy: not a document or
// stylesheet (the page grouping reads those), not a WebSocket or event
// stream (the message taps). Others keep a slice of their own.
//
// Ownership: the tee owns a buffer while capturing; the flow's body lends
// it to the recorder, which calls Release once; Release puts the memory
// back on its class's free list. A buffer released twice panics: two
// owners would let one body's bytes be read as another's. A recorder that
// never releases (a test's) costs the pool that memory; the pool then
// stops lending and bodies fall back to slices of their own.

const (
	capMin = 64 << 10 // the body file's threshold (store/sqlite): smaller bodies stay in the database
	capMax = 2 << 20  // one chunk
	// capPool caps the memory mapped for capture buffers: the recorder's
	// queue budget (64 MiB) plus the bodies being captured.
	capPool = 128 << 20
	// capIdle is how long a free buffer keeps its memory before it is
	// given back to the system (it stays mapped, and is reused from its
	// free list, paged in again).
	capIdle = 10 * time.Second
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// capClasses are the buffer sizes: powers of two from capMin to capMax.
var capClasses = func() []int {
	var c []int
	for n := capMin; n <= capMax; n *= 2 {
		c = append(c, n)
	}
	return c
}()

// capPiece is a buffer's memory, on a free list or lent.
type capPiece struct {
	mem   []byte // len = the class size, 4 KiB aligned
	class int
	freed time.Time // when it was last released
	idle  bool      // its memory was given back (capIdle)
}

// capPools hands out capture buffers; the zero value is ready.
type capPools struct {
	mu      sync.Mutex
	free    [8][]*capPiece // per class, most recently freed last
	mapped  int64
	trimmer bool // a trim is scheduled
}

var capBuffers capPools

// classFor is the class of a buffer holding n bytes, -1 when none does.
func classFor(n int64) int {
	for i, size := range capClasses {
		if n <= int64(size) {
			return i
		}
	}
	return -1
}

// get returns a buffer for n bytes (capMin ≤ n ≤ capMax), or nil when the
// pool is at its cap or the system has no memory to map.
func (p *capPools) get(n int64) *capBuf {
	class := classFor(n)
	if n < capMin || class < 0 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	free := p.free[class]
	if len(free) > 0 {
		pc := free[len(free)-1]
		p.free[class] = free[:len(free)-1]
		pc.idle = false
		return &capBuf{piece: pc, pool: p}
	}
	size := capClasses[class]
	if p.mapped+capMax > capPool {
		return nil
	}
	chunk := mapChunk()
	if chunk == nil {
		return nil
	}
	p.mapped += capMax
	// The chunk is cut into pieces of this class; the first is lent, the
	// others wait on the free list.
	for off := size; off < capMax; off += size {
		p.free[class] = append(p.free[class], &capPiece{mem: chunk[off : off+size : off+size], class: class})
	}
	return &capBuf{piece: &capPiece{mem: chunk[:size:size], class: class}, pool: p}
}

func (p *capPools) put(pc *capPiece) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pc.freed = time.Now()
	p.free[pc.class] = append(p.free[pc.class], pc)
	if !p.trimmer {
		p.trimmer = true
		time.AfterFunc(capIdle, p.trim)
	}
}

// trim gives the system back the memory of buffers free for capIdle or
// longer (a burst of large downloads should not keep its memory), and
// looks again later while any buffer is free and not yet given back.
func (p *capPools) trim() {
	if p.trimAt(time.Now()) {
		time.AfterFunc(capIdle, p.trim)
	}
}

// trimAt gives back the memory of buffers free since capIdle before now,
// and says whether another trim is due.
func (p *capPools) trimAt(now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	again := false
	for _, free := range p.free {
		for _, pc := range free {
			switch {
			case pc.idle:
			case now.Sub(pc.freed) >= capIdle:
				unback(pc.mem)
				pc.idle = true
			default:
				again = true
			}
		}
	}
	p.trimmer = again
	return again
}

// capBuf is one lending of a piece: the capture writes data into it, the
// recorder reads it, then releases it. It implements store.BodyBuffer.
type capBuf struct {
	piece    *capPiece
	pool     *capPools
	n        int    // bytes captured
	crc      uint32 // of those bytes
	released atomic.Bool
}

var _ store.BodyBuffer = (*capBuf)(nil)

// room is where the next captured bytes go, at most max in all.
func (c *capBuf) room(max int64) []byte {
	end := int(min(max, int64(len(c.piece.mem))))
	if c.n >= end {
		return nil
	}
	return c.piece.mem[c.n:end]
}

// captured adds the next n bytes written into room, summing them while
// they are in the cache.
func (c *capBuf) captured(n int) {
	c.crc = crc32.Update(c.crc, castagnoli, c.piece.mem[c.n:c.n+n])
	c.n += n
}

// data is what was captured.
func (c *capBuf) data() []byte { return c.piece.mem[:c.n:c.n] }

// Release implements store.BodyBuffer.
func (c *capBuf) Release() {
	if c.released.Swap(true) {
		panic("proxy: a capture buffer was released twice")
	}
	c.pool.put(c.piece)
}

// CRC32C implements store.BodyBuffer.
func (c *capBuf) CRC32C() uint32 { return c.crc }

// Blocks implements store.BodyBuffer: the captured bytes, zeros after
// them to the next 4 KiB (so no byte of an earlier body is written), in
// the piece's own memory.
func (c *capBuf) Blocks() []byte {
	end := min((c.n+4095)&^4095, len(c.piece.mem))
	clear(c.piece.mem[c.n:end])
	return c.piece.mem[:end]
}

// uintptrOf is the address of p's first byte.
func uintptrOf(p []byte) uintptr { return uintptr(unsafe.Pointer(&p[0])) }
