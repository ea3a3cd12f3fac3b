//go:build linux

package sqlite

import (
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// oDirect opens the body file for direct I/O: writes go from glassbox's
// buffer to the disk without passing through the page cache (bodyfile.go
// says why).
const oDirect = syscall.O_DIRECT

// writeBlocks writes bufs one after another from off, in as few system
// calls as the kernel takes (pwritev(2), up to IOV_MAX buffers a call).
func writeBlocks(f *os.File, bufs [][]byte, off int64) error {
	const iovMax = 1024
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	for len(bufs) > 0 {
		part := bufs[:min(len(bufs), iovMax)]
		var n int
		var werr error
		if err := sc.Write(func(fd uintptr) bool {
			n, werr = unix.Pwritev(int(fd), part, off)
			return true // a regular file never waits to be written
		}); err != nil {
			return err
		}
		if werr != nil {
			return werr
		}
		if n == 0 {
			return io.ErrShortWrite
		}
		off += int64(n)
		for n > 0 { // what was written leaves the list; a buffer cut short stays, cut
			k := min(n, len(bufs[0]))
			if bufs[0] = bufs[0][k:]; len(bufs[0]) == 0 {
				bufs = bufs[1:]
			}
			n -= k
		}
	}
	return nil
}
