package proxy

import "syscall"

// mapChunk maps capMax bytes aligned to capMax, asking the kernel to back
// them with a huge page (transparent huge pages in "always" or "madvise"
// mode; in "never" mode they are small pages, which work the same). Nil
// when the system has no memory to map.
func mapChunk() []byte {
	m, err := syscall.Mmap(-1, 0, 2*capMax, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil
	}
	addr := uintptrOf(m)
	skip := int((capMax - addr%capMax) % capMax)
	// Unmap what lies outside the aligned chunk (syscall.Munmap wants
	// the slice Mmap returned, so the raw call).
	if skip > 0 {
		syscall.Syscall(syscall.SYS_MUNMAP, addr, uintptr(skip), 0)
	}
	if tail := 2*capMax - skip - capMax; tail > 0 {
		syscall.Syscall(syscall.SYS_MUNMAP, addr+uintptr(skip+capMax), uintptr(tail), 0)
	}
	chunk := m[skip : skip+capMax : skip+capMax]
	syscall.Madvise(chunk, madvHugepage) // a hint: an error leaves small pages
	return chunk
}

// madvHugepage is MADV_HUGEPAGE, which package syscall does not name.
const madvHugepage = 14

// unback gives the memory's pages back to the system; the range stays
// mapped and reads as zeros until written again.
func unback(mem []byte) { syscall.Madvise(mem, syscall.MADV_DONTNEED) }

// unbacks says unback gives memory back to the system.
const unbacks = true
