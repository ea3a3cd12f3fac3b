package certs

import (
	"container/list"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"time"
)

const (
	// DefaultCacheSize bounds a LeafCache built with max <= 0. A leaf with its
	// key and parsed form is a few KB, so this is tens of MB at worst, and far
	// more hosts than a browsing session touches.
	DefaultCacheSize = 10_000
	// renewBefore re-mints a leaf this long before it expires, so a
	// connection that starts now never sees a certificate expire mid-way.
	renewBefore = 24 * time.Hour
)

// LeafCache keeps minted leaves by host so each host costs one signature, and
// makes concurrent handshakes for the same host share one mint.
//
// Its Fetch method has the signature of goproxy's CertStorage, so a
// *LeafCache can be assigned to goproxy.ProxyHttpServer.CertStore without
// this package importing goproxy.
type LeafCache struct {
	// Now returns the current time for expiry checks; nil means time.Now.
	// Tests set it to move the cache towards a leaf's expiry.
	Now func() time.Time

	ca  *CA
	max int

	mu       sync.Mutex
	entries  map[string]*list.Element // of *entry; front is most recently used
	lru      *list.List
	inflight map[string]*call
}

type entry struct {
	host     string
	cert     *tls.Certificate
	notAfter time.Time
}

// call is one mint in progress; latecomers wait on done.
type call struct {
	done    chan struct{}
	cert    *tls.Certificate
	err     error
	waiters int // callers that joined this call instead of minting (tests)
}

// NewLeafCache returns a cache that mints with ca (used by Get) and holds at
// most max leaves, evicting the least recently used; max <= 0 means
// DefaultCacheSize. ca may be nil when only Fetch is used.
func NewLeafCache(ca *CA, max int) *LeafCache {
	if max <= 0 {
		max = DefaultCacheSize
	}
	return &LeafCache{
		ca:       ca,
		max:      max,
		entries:  make(map[string]*list.Element),
		lru:      list.New(),
		inflight: make(map[string]*call),
	}
}

// Get returns the cached leaf for host, minting it with the cache's CA when
// it is missing or close to expiry.
func (c *LeafCache) Get(host string) (*tls.Certificate, error) {
	return c.Fetch(host, func() (*tls.Certificate, error) {
		if c.ca == nil {
			return nil, errors.New("mint certificate: the leaf cache has no CA")
		}
		return c.ca.Mint(host)
	})
}

// Fetch returns the cached leaf for hostname or calls gen to make one.
// Concurrent callers for the same host wait for a single gen call. Errors
// are returned to everyone waiting but not cached, so the next call tries
// again. hostname is keyed without port, in lower case.
func (c *LeafCache) Fetch(hostname string, gen func() (*tls.Certificate, error)) (*tls.Certificate, error) {
	key := hostKey(hostname)
	c.mu.Lock()
	if cert, ok := c.lookup(key); ok {
		c.mu.Unlock()
		return cert, nil
	}
	if cl, ok := c.inflight[key]; ok {
		cl.waiters++
		c.mu.Unlock()
		<-cl.done
		return cl.cert, cl.err
	}
	cl := &call{done: make(chan struct{})}
	c.inflight[key] = cl
	c.mu.Unlock()

	c.run(key, cl, gen)
	return cl.cert, cl.err
}

// lookup returns a fresh cached leaf and marks it used; a stale one is
// dropped. c.mu must be held.
func (c *LeafCache) lookup(key string) (*tls.Certificate, bool) {
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*entry)
	if !c.now().Before(e.notAfter.Add(-renewBefore)) {
		c.lru.Remove(el)
		delete(c.entries, key)
		return nil, false
	}
	c.lru.MoveToFront(el)
	return e.cert, true
}

// run calls gen for cl and publishes the result. The deferred part runs even
// if gen panics, so waiters are never left blocked.
func (c *LeafCache) run(key string, cl *call, gen func() (*tls.Certificate, error)) {
	cl.err = fmt.Errorf("mint certificate for %q: generator panicked", key)
	defer func() {
		c.mu.Lock()
		delete(c.inflight, key)
		if cl.err == nil {
			c.store(key, cl.cert)
		}
		c.mu.Unlock()
		close(cl.done)
	}()
	cert, err := gen()
	if err == nil && cert == nil {
		err = fmt.Errorf("mint certificate for %q: generator returned no certificate", key)
	}
	cl.cert, cl.err = cert, err
}

// store adds cert under key and evicts past max. A certificate whose expiry
// cannot be read is returned to the caller but not cached. c.mu must be held.
func (c *LeafCache) store(key string, cert *tls.Certificate) {
	leaf := cert.Leaf
	if leaf == nil && len(cert.Certificate) > 0 {
		var err error
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return
		}
	}
	if leaf == nil {
		return
	}
	if el, ok := c.entries[key]; ok {
		c.lru.Remove(el)
	}
	c.entries[key] = c.lru.PushFront(&entry{host: key, cert: cert, notAfter: leaf.NotAfter})
	for c.lru.Len() > c.max {
		last := c.lru.Back()
		c.lru.Remove(last)
		delete(c.entries, last.Value.(*entry).host)
	}
}

// Len reports how many leaves are cached.
func (c *LeafCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

func (c *LeafCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// GetCertificate returns a tls.Config.GetCertificate callback that serves
// the leaf for the client's SNI, or for fallbackHost (the CONNECT target)
// when the client sends none, as clients do when they connect to an IP
// address (RFC 6066 section 3 forbids IP literals in SNI).
func (c *LeafCache) GetCertificate(fallbackHost string) func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		host := hello.ServerName
		if host == "" {
			host = fallbackHost
		}
		if hostKey(host) == "" {
			return nil, errors.New("mint certificate: the client sent no server name and there is no CONNECT host")
		}
		return c.Get(host)
	}
}

// TLSConfig returns a server config for one intercepted connection whose
// CONNECT target was fallbackHost. NextProtos is left empty: the caller (or
// goproxy, when AllowHTTP2 is set) adds "h2" and "http/1.1" as it serves them.
func (c *LeafCache) TLSConfig(fallbackHost string) *tls.Config {
	return &tls.Config{
		// TLS 1.0 and 1.1 are disabled in every current browser (RFC 8996).
		MinVersion:     tls.VersionTLS12,
		GetCertificate: c.GetCertificate(fallbackHost),
	}
}
