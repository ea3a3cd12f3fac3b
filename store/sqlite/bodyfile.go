package sqlite

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"github.com/glassbox-dev/glassbox/store"
)

// The body file: large bodies live beside the database, in one file that
// only ever grows (path + BodyFileSuffix), and their rows in bodies say
// where (file_offset, file_size) with a CRC-32C of the bytes.
//
// Why (issue 20, measured in docs/BENCHMARKS.md): a body in a WAL database
// is written twice (to the WAL with a checksum per page, then to the
// database at checkpoint), about 1.8 ms of CPU per MiB; SQLite took 1 MiB
// bodies at 158-233 MiB/s on the bench machine while the proxy forwarded
// 550-800, so most large bodies were shed. Written once to a plain file,
// a body costs one copy into the page cache.
//
// Order and crash safety: a writer appends a body inside the write
// transaction that inserts its row, before the commit, so a committed row
// never points past what was written: a kill -9 loses neither (the page
// cache outlives the process), and a transaction that fails leaves only
// unreferenced bytes. SQLite's write lock (BEGIN IMMEDIATE) serialises
// writers across processes (glassbox resend may write to a session the
// proxy is recording), and each appends at the file's size as it finds
// it under that lock. A power loss may lose the file's last bytes, as it
// may lose the last transactions (synchronous=NORMAL); the CRC tells a
// reader the bytes are not the body's, and the body then reads as not
// kept.
//
// Direct I/O (Linux): the file is written with O_DIRECT, each body padded
// to a multiple of 4 KiB. Through the page cache, a write of 1 MiB cost
// 1.5-2.8 ms of CPU on the bench machine (the kernel touching page-cache
// memory the virtual machine had never used) and went at 360-690 MiB/s;
// with O_DIRECT it cost 0.11 ms and went at 2,300 MiB/s (measured with a
// program writing 1 MiB blocks for 3 s, docs/BENCHMARKS.md). Where the
// file system refuses direct I/O (tmpfs, some network file systems) the
// file is written through the page cache, as on other systems.
//
// Space of deleted flows and sessions is not reclaimed in place: `glassbox
// export --format sqlite` writes a database that holds every body inline,
// with no body file, which is also how a recording becomes one file to
// copy.

// BodyFileSuffix names the body file beside a database.
const BodyFileSuffix = "-bodies"

// bodyFileMin is the size from which a body goes to the body file: below
// it, an extra system call per body costs more than SQLite's copy.
const bodyFileMin = 64 << 10

var castagnoli = crc32.MakeTable(crc32.Castagnoli) // CRC-32C: one instruction per 8 bytes on amd64 and arm64

// bodyFile is a database's body file, opened when first needed.
type bodyFile struct {
	path string
	// direct is true while the writer's descriptor does direct I/O;
	// stages are the writers' aligned buffers for what cannot go from a
	// body's own memory (appendDirect).
	direct bool
	stages [bodyWriters][]byte
	// db is the database's path and max the cap on the two files together
	// (DB.SetMaxSize), 0 for none.
	db  string
	max int64
	mu  sync.Mutex
	w   *os.File // the writer's, read-write
	r   *os.File // readers': ReadAt is safe for concurrent use
}

// bodyRef is where a body went in the body file, and its CRC-32C.
type bodyRef struct {
	off int64
	crc uint32
}

// bodyWriters is how many bodies of one batch are written at once: with
// direct I/O each write waits for the disk, and the disk takes several.
const bodyWriters = 4

// appendAll writes bodies at the end of the file, one after another, each
// from a block boundary, up to bodyWriters at a time, and returns where
// each went. The caller holds the database's write lock.
func (b *bodyFile) appendAll(bodies []*store.Body) ([]bodyRef, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.w == nil {
		if err := b.open(); err != nil {
			return nil, err
		}
	}
	st, err := b.w.Stat()
	if err != nil {
		return nil, fmt.Errorf("body file: %w", err)
	}
	refs := make([]bodyRef, len(bodies))
	start := alignUp(st.Size()) // a body starts on a block, however the file was last written
	off := start
	for i, body := range bodies {
		refs[i].off = off
		off += alignUp(int64(len(body.Data)))
	}
	if err := b.fits(off); err != nil {
		return nil, err
	}
	if err := b.writeAll(bodies, refs); err != nil {
		if b.w != nil {
			b.w.Truncate(start) // what did get written is named by no row
		}
		return nil, fmt.Errorf("body file: %w", err)
	}
	return refs, nil
}

// fits checks the size cap (SetMaxSize) against the file growing to end.
func (b *bodyFile) fits(end int64) error {
	if b.max <= 0 {
		return nil
	}
	var dbSize int64
	if dst, err := os.Stat(b.db); err == nil {
		dbSize = dst.Size()
	}
	if dbSize+end > b.max {
		return fmt.Errorf("body file: the database and its body file would pass their size limit of %d bytes: database or disk is full", b.max)
	}
	return nil
}

// writeAll writes each body at its offset and sums it: runs of lent
// bodies in a call each (writeLent), the others from up to bodyWriters
// goroutines. A file system that opened for direct I/O but
// refuses a direct write (EINVAL) is written through the page cache from
// then on, the whole batch again.
func (b *bodyFile) writeAll(bodies []*store.Body, refs []bodyRef) error {
	rest, err := b.writeLent(bodies, refs)
	if err == nil {
		workers := min(len(rest), bodyWriters)
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for j := w; j < len(rest) && errs[w] == nil; j += workers {
					i := rest[j]
					errs[w] = b.writeOne(bodies[i], refs[i].off, w)
					refs[i].crc = sum(bodies[i])
				}
			})
		}
		wg.Wait()
		err = errors.Join(errs...)
	}
	if err == nil || !b.direct || !errors.Is(err, syscall.EINVAL) {
		return err
	}
	b.w.Close()
	b.w, b.direct = nil, false
	if b.w, err = os.OpenFile(b.path, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return err
	}
	for i, body := range bodies {
		if _, err := b.w.WriteAt(body.Data, refs[i].off); err != nil {
			return err
		}
		refs[i].crc = sum(body)
	}
	return nil
}

// sum is the CRC-32C of a body's data: the one its capturer summed while
// the bytes were in the processor's cache (store.BodyBuffer), else summed
// now, from memory. Summing 1 MiB from memory cost about 0.09 ms of CPU on
// the bench machine, from the cache 0.04.
func sum(body *store.Body) uint32 {
	if body.Buffer != nil {
		return body.Buffer.CRC32C()
	}
	return crc32.Checksum(body.Data, castagnoli)
}

// writeLent writes, with direct I/O, the bodies lent in aligned blocks
// (store.BodyBuffer) that lie side by side in the file in one system call
// for each run of them, and returns the indexes of the other bodies. A
// system call per 1 MiB body cost 0.10 ms of CPU per MiB on the bench
// machine; 4 bodies a call, 0.03; 16, 0.02 (a program writing 1 GiB).
func (b *bodyFile) writeLent(bodies []*store.Body, refs []bodyRef) (rest []int, err error) {
	if !b.direct {
		for i := range bodies {
			rest = append(rest, i)
		}
		return rest, nil
	}
	var run [][]byte
	var runAt int64
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		err := writeBlocks(b.w, run, runAt)
		run = run[:0]
		return err
	}
	for i, body := range bodies {
		var blocks []byte
		if body.Buffer != nil {
			blocks = body.Buffer.Blocks()
		}
		if !aligned(blocks) || int64(len(blocks)) != alignUp(int64(len(body.Data))) {
			rest = append(rest, i)
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		if len(run) == 0 {
			runAt = refs[i].off
		}
		run = append(run, blocks)
		refs[i].crc = sum(body)
	}
	return rest, flush()
}

// open opens the writer's descriptor, for direct I/O where the file
// system allows it.
func (b *bodyFile) open() error {
	var err error
	if oDirect != 0 {
		if b.w, err = os.OpenFile(b.path, os.O_RDWR|os.O_CREATE|oDirect, 0o600); err == nil {
			b.direct = true
			return nil
		}
	}
	b.direct = false
	if b.w, err = os.OpenFile(b.path, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return fmt.Errorf("body file: %w", err)
	}
	return nil
}

// writeOne puts a body at off, with worker w's staging buffer for direct
// I/O (bodies lent in aligned blocks are written by writeLent).
func (b *bodyFile) writeOne(body *store.Body, off int64, w int) error {
	if !b.direct {
		_, err := b.w.WriteAt(body.Data, off)
		return err
	}
	return b.appendDirect(body.Data, off, &b.stages[w])
}

// aligned reports memory direct I/O can write as is: whole blocks, from a
// block boundary.
func aligned(p []byte) bool {
	return len(p) > 0 && len(p)%block == 0 && uintptr(unsafe.Pointer(&p[0]))%block == 0
}

// block is direct I/O's unit: offsets, lengths and buffer addresses are
// multiples of it (4 KiB covers every logical block size in use).
const block = 4096

func alignUp(n int64) int64 { return (n + block - 1) &^ (block - 1) }

// stageSize is the aligned buffer a body goes through when its own memory
// is not aligned, a piece at a time.
const stageSize = 1 << 20

// appendDirect writes data at off (aligned) with direct I/O: the whole
// blocks straight from data when its memory is aligned (Go's large
// allocations are), the rest through the stage buffer (made on first
// use), the last block padded with zeros.
func (b *bodyFile) appendDirect(data []byte, off int64, stage *[]byte) error {
	n := len(data) &^ (block - 1)
	if n > 0 && uintptr(unsafe.Pointer(&data[0]))%block == 0 {
		if _, err := b.w.WriteAt(data[:n], off); err != nil {
			return err
		}
	} else {
		n = 0
	}
	if *stage == nil && n < len(data) {
		raw := make([]byte, stageSize+block)
		skip := (block - int(uintptr(unsafe.Pointer(&raw[0]))%block)) % block
		*stage = raw[skip : skip+stageSize]
	}
	for rest := data[n:]; len(rest) > 0; {
		k := copy(*stage, rest)
		padded := int(alignUp(int64(k)))
		clear((*stage)[k:padded])
		if _, err := b.w.WriteAt((*stage)[:padded], off+int64(n)); err != nil {
			return err
		}
		n += padded
		rest = rest[k:]
	}
	return nil
}

// errBodyLost says the body file does not hold a body its row names.
var errBodyLost = errors.New("the body file does not hold this body (cut short, or changed)")

// read returns the size bytes at off, checked against crc.
func (b *bodyFile) read(off, size int64, crc uint32) ([]byte, error) {
	b.mu.Lock()
	if b.r == nil {
		f, err := os.Open(b.path)
		if err != nil {
			b.mu.Unlock()
			if errors.Is(err, fs.ErrNotExist) {
				return nil, errBodyLost
			}
			return nil, fmt.Errorf("body file: %w", err)
		}
		b.r = f
	}
	r := b.r
	b.mu.Unlock()
	data := make([]byte, size)
	if _, err := r.ReadAt(data, off); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errBodyLost
		}
		return nil, fmt.Errorf("body file: %w", err)
	}
	if crc32.Checksum(data, castagnoli) != crc {
		return nil, errBodyLost
	}
	return data, nil
}

// truncate cuts the file back to size: what a transaction that rolls back
// appended. The caller holds the database's write lock. On failure the
// bytes stay, unreferenced (the next append goes after them).
func (b *bodyFile) truncate(size int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.w != nil {
		b.w.Truncate(size)
	}
}

func (b *bodyFile) close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []error
	for _, f := range []*os.File{b.w, b.r} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	b.w, b.r = nil, nil
	return errors.Join(errs...)
}
