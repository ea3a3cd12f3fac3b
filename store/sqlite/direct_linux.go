//go:build linux

package sqlite

import "syscall"

// oDirect opens the body file for direct I/O: writes go from glassbox's
// buffer to the disk without passing through the page cache (bodyfile.go
// says why).
const oDirect = syscall.O_DIRECT
