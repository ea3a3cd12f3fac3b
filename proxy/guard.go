package proxy

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Client connection deadlines. net/http's own timeouts stop applying once a
// connection is hijacked for CONNECT, and goproxy sets none on intercepted
// connections: 50 CONNECTs that then sent nothing held 50 goroutines for
// as long as the clients kept them open. A Guard closes client connections
// that stay silent too long instead.
const (
	// DefaultHandshakeTimeout is how long a new client connection may take
	// to send its first bytes.
	DefaultHandshakeTimeout = 15 * time.Second
	// DefaultIdleTimeout is how long a client connection may see no bytes
	// in either direction. Longer than browsers keep idle proxy connections
	// (Chromium: about 5 minutes for sockets to a proxy), shorter than forever.
	DefaultIdleTimeout = 5 * time.Minute
)

// Guard wraps a listener so that every accepted connection is closed when
// it sends nothing within Handshake of being accepted, or sees no traffic
// either way for Idle. One janitor goroutine checks all connections once
// per tick; the per-byte cost is one atomic store.
type Guard struct {
	net.Listener
	Handshake time.Duration
	Idle      time.Duration

	mu     sync.Mutex
	conns  map[*guardedConn]struct{}
	once   sync.Once
	stop   chan struct{}
	closed atomic.Int64 // connections closed for silence
}

// NewGuard wraps ln; zero durations take the defaults.
func NewGuard(ln net.Listener, handshake, idle time.Duration) *Guard {
	if handshake <= 0 {
		handshake = DefaultHandshakeTimeout
	}
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	return &Guard{Listener: ln, Handshake: handshake, Idle: idle, conns: map[*guardedConn]struct{}{}, stop: make(chan struct{})}
}

// Accept implements net.Listener.
func (g *Guard) Accept() (net.Conn, error) {
	c, err := g.Listener.Accept()
	if err != nil {
		return nil, err
	}
	g.once.Do(func() { go g.janitor() })
	gc := &guardedConn{Conn: c, g: g, accepted: time.Now().UnixNano()}
	g.mu.Lock()
	g.conns[gc] = struct{}{}
	g.mu.Unlock()
	return gc, nil
}

// Close implements net.Listener; it also stops the janitor.
func (g *Guard) Close() error {
	select {
	case <-g.stop:
	default:
		close(g.stop)
	}
	return g.Listener.Close()
}

// Closed counts connections closed for silence.
func (g *Guard) Closed() int64 { return g.closed.Load() }

// Open counts connections currently open.
func (g *Guard) Open() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.conns)
}

func (g *Guard) janitor() {
	tick := g.Handshake / 4
	if t := g.Idle / 4; t < tick {
		tick = t
	}
	tick = min(max(tick, 10*time.Millisecond), time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-g.stop:
			return
		case now := <-t.C:
			g.sweep(now.UnixNano())
		}
	}
}

func (g *Guard) sweep(now int64) {
	var expired []*guardedConn
	g.mu.Lock()
	for c := range g.conns {
		last := c.last.Load()
		switch {
		case last == 0 && now-c.accepted > int64(g.Handshake):
			expired = append(expired, c)
		case last != 0 && now-last > int64(g.Idle):
			expired = append(expired, c)
		}
	}
	g.mu.Unlock()
	for _, c := range expired {
		g.closed.Add(1)
		c.Close()
	}
}

type guardedConn struct {
	net.Conn
	g        *Guard
	accepted int64
	last     atomic.Int64 // last traffic, Unix ns; 0 until the first read
	once     sync.Once
}

func (c *guardedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.last.Store(time.Now().UnixNano())
	}
	return n, err
}

func (c *guardedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 && c.last.Load() != 0 {
		c.last.Store(time.Now().UnixNano())
	}
	return n, err
}

func (c *guardedConn) Close() error {
	c.once.Do(func() {
		c.g.mu.Lock()
		delete(c.g.conns, c)
		c.g.mu.Unlock()
	})
	return c.Conn.Close()
}

// CloseWrite half-closes when the underlying connection can (tunnels use it).
func (c *guardedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}
