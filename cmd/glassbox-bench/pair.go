package main

import "sync"

// barrier holds the cells measured at the same time (-pair) at the start
// of their warm-ups and of their measured phases until all of them are
// there. A cell that ends early (its proxy failed to start, say) leaves,
// and the others no longer wait for it. A nil barrier is a cell alone:
// meet and leave do nothing.
type barrier struct {
	mu      sync.Mutex
	cond    sync.Cond
	parties int // cells still measuring
	waiting int // of them, at the current meeting
	round   int // meetings so far: a waiter leaves once it moves on
}

func newBarrier(parties int) *barrier {
	b := &barrier{parties: parties}
	b.cond.L = &b.mu
	return b
}

// meet waits until every cell still measuring has met here.
func (b *barrier) meet() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	round := b.round
	b.waiting++
	b.releaseIfAll()
	for round == b.round {
		b.cond.Wait()
	}
}

// leave takes the cell out: the others stop waiting for it.
func (b *barrier) leave() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.parties--
	b.releaseIfAll()
}

// releaseIfAll ends the meeting once everyone still measuring is at it.
func (b *barrier) releaseIfAll() {
	if b.waiting > 0 && b.waiting >= b.parties {
		b.waiting = 0
		b.round++
		b.cond.Broadcast()
	}
}
