package netshape

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// chunkSize is the most bytes one read from the origin carries through
// the delay line; queued bounds how many wait in it, so a connection holds
// at most queued*chunkSize bytes (256 KiB) before TCP's own flow control
// slows the origin down.
const (
	chunkSize = 16 << 10
	queued    = 16
)

// chunk is what one read from the origin returned, and when.
type chunk struct {
	data []byte
	at   time.Time
	err  error
}

// Conn is a shaped connection: reads come Latency after the bytes arrived,
// at most Down bytes per second; writes go at most Up bytes per second.
type Conn struct {
	net.Conn
	p Profile

	line   chan chunk // filled by pump
	closed chan struct{}
	once   sync.Once

	rmu      sync.Mutex // one reader at a time; guards cur and nextRead
	cur      chunk      // the chunk being handed out
	nextRead time.Time  // when the Down pace allows the next bytes

	dmu      sync.Mutex    // guards deadline and changed
	deadline time.Time     // the read deadline (not passed on: the pump reads the conn under)
	changed  chan struct{} // closed when deadline changes

	wmu       sync.Mutex
	nextWrite time.Time // when the Up pace allows the next bytes
}

// Wrap shapes c with p.
func Wrap(c net.Conn, p Profile) *Conn {
	s := &Conn{Conn: c, p: p, line: make(chan chunk, queued), closed: make(chan struct{}), changed: make(chan struct{})}
	go s.pump()
	return s
}

// NetConn is the connection under the shaping.
func (c *Conn) NetConn() net.Conn { return c.Conn }

// pump reads the origin as fast as it sends, stamping each read with its
// arrival, until the connection fails or closes.
func (c *Conn) pump() {
	for {
		buf := make([]byte, chunkSize)
		n, err := c.Conn.Read(buf)
		ch := chunk{data: buf[:n], at: time.Now(), err: err}
		select {
		case c.line <- ch:
		case <-c.closed:
			return
		}
		if err != nil {
			return
		}
	}
}

func (c *Conn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for len(c.cur.data) == 0 && c.cur.err == nil {
		if err := c.next(); err != nil {
			return 0, err
		}
	}
	if len(c.cur.data) == 0 {
		return 0, c.cur.err
	}
	n := len(p)
	if c.p.Down > 0 {
		n = min(n, max(int(c.p.Down/20), 1460)) // paced in pieces of 50 ms or one packet
	}
	ready := c.cur.at.Add(c.p.Latency)
	if c.nextRead.After(ready) {
		ready = c.nextRead
	}
	if err := c.waitUntil(ready); err != nil {
		return 0, err
	}
	n = copy(p, c.cur.data[:min(n, len(c.cur.data))])
	c.cur.data = c.cur.data[n:]
	if c.p.Down > 0 {
		c.nextRead = time.Now().Add(time.Duration(float64(n) / float64(c.p.Down) * float64(time.Second)))
	}
	return n, nil
}

// next takes the next chunk off the line, within the read deadline.
func (c *Conn) next() error {
	for {
		dl, changed := c.readDeadline()
		var expire <-chan time.Time
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return os.ErrDeadlineExceeded
			}
			t := time.NewTimer(d)
			defer t.Stop()
			expire = t.C
		}
		select {
		case ch := <-c.line:
			c.cur = ch
			return nil
		case <-c.closed:
			return net.ErrClosed
		case <-expire:
			return os.ErrDeadlineExceeded
		case <-changed:
		}
	}
}

// waitUntil sleeps until t, the read deadline, or Close.
func (c *Conn) waitUntil(t time.Time) error {
	for {
		now := time.Now()
		if !now.Before(t) {
			return nil
		}
		dl, changed := c.readDeadline()
		if !dl.IsZero() && !now.Before(dl) {
			return os.ErrDeadlineExceeded
		}
		wake := t
		if !dl.IsZero() && dl.Before(wake) {
			wake = dl
		}
		timer := time.NewTimer(time.Until(wake))
		select {
		case <-timer.C:
		case <-changed:
		case <-c.closed:
			timer.Stop()
			return net.ErrClosed
		}
		timer.Stop()
	}
}

// readDeadline is the deadline now and a channel closed when it changes.
func (c *Conn) readDeadline() (time.Time, <-chan struct{}) {
	c.dmu.Lock()
	defer c.dmu.Unlock()
	return c.deadline, c.changed
}

func (c *Conn) Write(p []byte) (int, error) {
	if c.p.Up <= 0 {
		return c.Conn.Write(p)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	piece := max(int(c.p.Up/20), 1460)
	written := 0
	for written < len(p) {
		if d := time.Until(c.nextWrite); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-c.closed:
				t.Stop()
				return written, net.ErrClosed
			}
		}
		n, err := c.Conn.Write(p[written:min(len(p), written+piece)])
		written += n
		c.nextWrite = time.Now().Add(time.Duration(float64(n) / float64(c.p.Up) * float64(time.Second)))
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// SetDeadline sets the read deadline here and the write deadline on the
// connection under.
func (c *Conn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.Conn.SetWriteDeadline(t)
}

// SetReadDeadline applies to the shaped reads (the pump keeps reading
// the connection under). A Read waiting now sees the new deadline at once:
// setting one in the past is how a reader is interrupted.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.dmu.Lock()
	c.deadline = t
	close(c.changed)
	c.changed = make(chan struct{})
	c.dmu.Unlock()
	return nil
}

func (c *Conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { close(c.closed) })
	return err
}

// CloseWrite and CloseRead pass a half-close through when the connection
// under can (a CONNECT tunnel's FIN).
func (c *Conn) CloseWrite() error { return CloseWrite(c.Conn) }

func (c *Conn) CloseRead() error { return CloseRead(c.Conn) }

// CloseWrite half-closes c when it can: goproxy's tunnel takes its
// half-close path only for connections with CloseWrite and CloseRead, so
// every wrapper passes them through to what it wraps.
func CloseWrite(c net.Conn) error {
	if hc, ok := c.(interface{ CloseWrite() error }); ok {
		return hc.CloseWrite()
	}
	return errors.ErrUnsupported
}

// CloseRead is CloseWrite's counterpart for reads.
func CloseRead(c net.Conn) error {
	if hc, ok := c.(interface{ CloseRead() error }); ok {
		return hc.CloseRead()
	}
	return errors.ErrUnsupported
}
