package dialer

import (
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/netshape"
	"github.com/glassbox-dev/glassbox/store"
)

// Conn is a connection made by a Dialer. It carries the record of how it
// was made, so code that gets the connection back from http.Transport (in
// httptrace's GotConn) can tell which DNS, TCP and TLS times it paid for,
// and it counts the bytes that cross it. Under TLS it is the *tls.Conn's
// NetConn(), so the counts are of bytes on the wire, records included.
type Conn struct {
	net.Conn
	info *store.Conn

	read, written atomic.Int64
	lastWrite     atomic.Int64 // when the latest Write began, Unix nanoseconds of the Dialer's clock
	closeOnce     sync.Once
	onClose       func(*store.Conn) // set once the dial has succeeded
	now           func() time.Time  // the Dialer's clock
}

// Info returns the connection's record as it stood when the dial ended. It
// is not modified afterwards, so it can be read from any goroutine; the
// close time is reported to Config.OnConn on a copy.
func (c *Conn) Info() *store.Conn { return c.info }

// BytesRead is the number of bytes read from the connection so far.
func (c *Conn) BytesRead() int64 { return c.read.Load() }

// BytesWritten is the number of bytes written to the connection so far.
func (c *Conn) BytesWritten() int64 { return c.written.Load() }

func (c *Conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func (c *Conn) Write(p []byte) (int, error) {
	c.lastWrite.Store(c.now().UnixNano())
	n, err := c.Conn.Write(p)
	c.written.Add(int64(n))
	return n, err
}

// LastWriteStart is when the latest Write on the connection began; zero
// before the first. Read when httptrace reports a request written, it is
// when the request's last bytes began to leave: that moment comes before
// the server can have answered them, where the hook's own time, taken in
// another goroutine, may come after the first byte of the answer was read.
// (On a connection shared by HTTP/2 streams it may be another stream's
// write, never earlier than the request's own.)
func (c *Conn) LastWriteStart() time.Time {
	if n := c.lastWrite.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// Close closes the connection and, the first time, reports a copy of its
// record with Closed set to Config.OnConn.
func (c *Conn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() {
		if c.onClose != nil {
			rec := cloneInfo(c.info)
			rec.Closed = c.now()
			c.onClose(rec)
		}
	})
	return err
}

// CloseWrite half-closes the connection when the inner one can, so a
// CONNECT tunnel can pass a FIN through.
func (c *Conn) CloseWrite() error { return netshape.CloseWrite(c.Conn) }

// CloseRead is CloseWrite's counterpart for reads.
func (c *Conn) CloseRead() error { return netshape.CloseRead(c.Conn) }

// InfoOf returns the record of a connection made by a Dialer, looking
// through a *tls.Conn (or anything with a NetConn method); nil for any
// other connection.
func InfoOf(c net.Conn) *store.Conn {
	if dc := ConnOf(c); dc != nil {
		return dc.info
	}
	return nil
}

// ConnOf returns the Dialer's Conn under c, looking through a *tls.Conn
// (or anything with a NetConn method); nil for any other connection.
func ConnOf(c net.Conn) *Conn {
	for range 4 { // a TLS conn over our Conn is two levels; stop at a few
		switch v := c.(type) {
		case *Conn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
	return nil
}

// cloneInfo copies a record for a recorder, which owns what it is given.
// TLS and Error are shared: they are not modified once set.
func cloneInfo(c *store.Conn) *store.Conn {
	cp := *c
	cp.Attempts = slices.Clone(c.Attempts)
	return &cp
}
