//go:build !linux

package sqlite

// oDirect is 0 where glassbox does not use direct I/O: the body file is
// written through the page cache.
const oDirect = 0
