package certs

import (
	"crypto/tls"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestFetchJoinsCallInFlight holds the first mint until every other caller
// has joined it, so a cache that only checks for a finished entry (and would
// mint once per caller) fails here rather than passing by timing luck.
func TestFetchJoinsCallInFlight(t *testing.T) {
	ca, _, err := generate(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := NewLeafCache(ca, 0)
	const n = 32
	release := make(chan struct{})
	var calls atomic.Int32
	gen := func() (*tls.Certificate, error) {
		calls.Add(1)
		<-release
		return ca.Mint("shop.test")
	}
	got := make([]*tls.Certificate, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], _ = c.Fetch("shop.test", gen) })
	}

	deadline := time.Now().Add(10 * time.Second)
	for c.waiters("shop.test") != n-1 {
		if calls.Load() > 1 || time.Now().After(deadline) {
			close(release)
			t.Fatalf("only %d callers joined the mint in flight (gen called %d times)", c.waiters("shop.test"), calls.Load())
		}
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("gen called %d times, want 1", calls.Load())
	}
	for i := range n {
		if got[i] == nil || got[i] != got[0] {
			t.Fatalf("caller %d got %p, want the shared %p", i, got[i], got[0])
		}
	}
	if len(c.inflight) != 0 {
		t.Errorf("%d calls still in flight", len(c.inflight))
	}
}

func TestNewLeafCacheDefaultSize(t *testing.T) {
	for _, max := range []int{0, -1} {
		if c := NewLeafCache(nil, max); c.max != DefaultCacheSize {
			t.Errorf("NewLeafCache(nil, %d).max = %d, want %d", max, c.max, DefaultCacheSize)
		}
	}
}

// waiters reports how many callers joined the mint in flight for host.
func (c *LeafCache) waiters(host string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.inflight[hostKey(host)]; ok {
		return cl.waiters
	}
	return -1
}
