package main

import (
	"os"
	"runtime/debug"
)

// Garbage collector settings for glassbox, unless the user set GOGC or
// GOMEMLIMIT. The proxy's live heap is small (tens of MiB: connections,
// the grouping index, the writer's queue) while every request allocates:
// at GOGC's default of 100, collection and returning memory to the OS took
// about 7 µs of an intercepted request's CPU. At 200 the collector ran
// half as often, for about 8 MiB more memory at 10,000 requests/s
// (https-32 of `make bench`: 117 -> 104 µs/request). With the proxy's
// own costs down to about 48 µs a request it still ran 14 times a second
// at 18,000 requests/s (a live heap of 4-6 MiB, about 3 ms of CPU each):
// 400 took 2.5% off the CPU a request (six runs of two glassbox
// processes under the same load at once, 0.96x-0.98x), for about 11 MiB
// more at peak (43 -> 55 MiB); 800 took 5% for 28 MiB more, which a long
// session's larger heap would multiply (docs/BENCHMARKS.md).
// The soft limit makes it collect harder again long before memory matters
// (the writer's body queue alone may hold 64 MiB).
const (
	gcPercent   = 400
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
