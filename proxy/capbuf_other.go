//go:build !linux

package proxy

// mapChunk takes capMax bytes aligned to 4 KiB from Go's heap: huge pages
// and direct I/O are Linux's here (capbuf_linux.go).
func mapChunk() []byte {
	raw := make([]byte, capMax+4096)
	skip := int((4096 - uintptrOf(raw)%4096) % 4096)
	return raw[skip : skip+capMax : skip+capMax]
}

// unback does nothing: the collector keeps the memory while the pool does.
func unback([]byte) {}

// unbacks says unback gives memory back to the system.
const unbacks = false
