package resolver

import (
	"sync"
	"time"
)

// cacheKey is one question: a fully qualified lower-case name and a type.
// A and AAAA are cached apart because their TTLs differ: a name with only
// an A record has a positive A entry and a negative AAAA entry whose
// lifetime comes from the SOA (RFC 2308 §5).
type cacheKey struct {
	name  string
	qtype uint16
}

type cacheEntry struct {
	res     *qresult
	stored  time.Time
	expires time.Time
}

// cache keeps answers for as long as their TTL allows, positive and
// negative alike (RFC 2308 §5), up to max entries.
type cache struct {
	max int

	mu sync.Mutex
	m  map[cacheKey]cacheEntry
}

func newCache(max int) *cache {
	return &cache{max: max, m: make(map[cacheKey]cacheEntry)}
}

// get returns the entry for k as it stands at now: TTLs are reduced by the
// time spent in the cache, as a recursive resolver does when it answers
// from its cache (RFC 1035 §7.4), so the story shows how long is left.
func (c *cache) get(k cacheKey, now time.Time) (*qresult, bool) {
	c.mu.Lock()
	e, ok := c.m[k]
	if ok && !now.Before(e.expires) {
		delete(c.m, k)
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	elapsed := uint32(max(0, now.Sub(e.stored)) / time.Second)
	res := *e.res
	res.ttl = e.res.ttl - min(elapsed, e.res.ttl)
	res.answers = make([]answer, len(e.res.answers))
	for i, a := range e.res.answers {
		a.ttl = min(a.ttl-min(elapsed, a.ttl), res.ttl)
		res.answers[i] = a
	}
	res.rtt = 0
	return &res, true
}

// put stores res under k. A zero TTL means "use once, do not cache"
// (RFC 1035 §3.2.1). When the cache is full, expired entries go first,
// then entries at random (Go's map order): simpler than an LRU and good
// enough for one browsing session, where the cache rarely fills.
func (c *cache) put(k cacheKey, res *qresult, now time.Time) {
	if res.ttl == 0 || c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		c.evict(now)
	}
	c.m[k] = cacheEntry{res: res, stored: now, expires: now.Add(time.Duration(res.ttl) * time.Second)}
}

// evict makes room: it drops expired entries and, if that is not enough,
// a sixteenth of the cache, so a full cache pays for the scan once per
// max/16 insertions rather than on each. Called with c.mu held.
func (c *cache) evict(now time.Time) {
	for k, e := range c.m {
		if !now.Before(e.expires) {
			delete(c.m, k)
		}
	}
	target := c.max - max(1, c.max/16)
	for k := range c.m {
		if len(c.m) <= target {
			break
		}
		delete(c.m, k)
	}
}

// len is the number of entries, expired or not.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
