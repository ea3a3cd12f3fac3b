package main

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Cells measured together start each step together; one that ends early
// leaves, and the others go on without it.
func TestBarrierHoldsCellsTogether(t *testing.T) {
	b := newBarrier(3)
	var step [3]atomic.Int32
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			defer b.leave()
			for s := range 4 {
				if i == 2 && s == 2 {
					return // ends early: the two others still meet twice
				}
				b.meet()
				for j := range 2 {
					if got := step[j].Load(); got < int32(s) {
						t.Errorf("cell %d at step %d while cell %d is at %d", i, s, j, got)
					}
				}
				step[i].Store(int32(s + 1))
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("cells still waiting for one that left")
	}
	if step[0].Load() != 4 || step[1].Load() != 4 || step[2].Load() != 2 {
		t.Errorf("steps %d %d %d, want 4 4 2", step[0].Load(), step[1].Load(), step[2].Load())
	}
	var alone *barrier
	alone.meet() // a cell alone never waits
	alone.leave()
}
