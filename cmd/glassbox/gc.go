package main

import (
	"os"
	"runtime/debug"
)

// Garbage collector settings for glassbox, unless the user set GOGC or
// GOMEMLIMIT. The proxy's live heap is small (tens of MiB: connections,
// the grouping index, the writer's queue) while every request allocates:
// at GOGC's default of 100, collection and returning memory to the OS took
// about 7 µs of an intercepted request's CPU. At 200 the collector runs
// half as often, for about 8 MiB more memory at 10,000 requests/s
// (https-32 of `make bench`: 117 -> 104 µs/request; docs/BENCHMARKS.md).
// The soft limit makes it collect harder again long before memory matters
// (the writer's body queue alone may hold 64 MiB).
const (
	gcPercent   = 200
	memoryLimit = 256 << 20
)

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
