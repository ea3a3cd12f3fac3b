package sqlite

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"sync"
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
	// db is the database's path and max the cap on the two files together
	// (DB.SetMaxSize), 0 for none.
	db  string
	max int64
	mu  sync.Mutex
	w   *os.File // the writer's, read-write
	r   *os.File // readers': ReadAt is safe for concurrent use
}

// append writes data at the end of the file and returns where it starts
// and its CRC-32C. The caller holds the database's write lock.
func (b *bodyFile) append(data []byte) (off int64, crc uint32, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.w == nil {
		if b.w, err = os.OpenFile(b.path, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
			return 0, 0, fmt.Errorf("body file: %w", err)
		}
	}
	st, err := b.w.Stat()
	if err != nil {
		return 0, 0, fmt.Errorf("body file: %w", err)
	}
	off = st.Size()
	if b.max > 0 {
		var dbSize int64
		if dst, err := os.Stat(b.db); err == nil {
			dbSize = dst.Size()
		}
		if dbSize+off+int64(len(data)) > b.max {
			return 0, 0, fmt.Errorf("body file: the database and its body file would pass their size limit of %d bytes: database or disk is full", b.max)
		}
	}
	if _, err := b.w.WriteAt(data, off); err != nil {
		return 0, 0, fmt.Errorf("body file: %w", err)
	}
	return off, crc32.Checksum(data, castagnoli), nil
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
