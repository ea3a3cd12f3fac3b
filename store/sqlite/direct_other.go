//go:build !linux

package sqlite

import "os"

// oDirect is 0 where glassbox does not use direct I/O: the body file is
// written through the page cache.
const oDirect = 0

// writeBlocks writes bufs one after another from off (a body file is
// written with direct I/O only on Linux, direct_linux.go).
func writeBlocks(f *os.File, bufs [][]byte, off int64) error {
	for _, b := range bufs {
		if _, err := f.WriteAt(b, off); err != nil {
			return err
		}
		off += int64(len(b))
	}
	return nil
}
