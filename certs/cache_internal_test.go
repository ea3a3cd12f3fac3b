package certs

import (
	"crypto/tls"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store/storetest"
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

	var releaseOnce sync.Once
	releaseAll := func() { releaseOnce.Do(func() { close(release) }) }
	defer releaseAll() // a failure below must not leave the callers blocked
	storetest.Eventually(t, 10*time.Second, fmt.Sprintf("the other %d callers to join the mint in flight", n-1), func() bool {
		return calls.Load() > 1 || c.waiters("shop.test") == n-1
	})
	if calls.Load() > 1 {
		t.Fatalf("gen called %d times while the first mint was in flight (%d callers joined it)", calls.Load(), c.waiters("shop.test"))
	}
	releaseAll()
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
