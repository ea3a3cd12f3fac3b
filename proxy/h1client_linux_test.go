//go:build linux

package proxy_test

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// acked waits (bounded) until the peer's TCP has taken every byte written
// on c: SIOCOUTQ counts those not yet acknowledged.
func acked(c net.Conn) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		return
	}
	deadline := time.Now().Add(ioLimit)
	for time.Now().Before(deadline) {
		pending := -1
		raw.Control(func(fd uintptr) { pending, _ = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ) })
		if pending == 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// Bytes an origin sends on an idle connection, no request having asked
// for them, are never read as the next request's answer.
func TestUnaskedBytesOnAnIdleConnectionAreNotAnAnswer(t *testing.T) {
	sent := make(chan struct{}, 4)
	eachScheme(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		if _, err := readHead(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nreal")
		time.Sleep(50 * time.Millisecond) // the proxy has the whole answer by now
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged")
		acked(c) // in glassbox's socket, where the look before reuse finds them
		sent <- struct{}{}
		h1Answers(func(string) string { return "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate" })(c)
	}, func(t *testing.T, h *harness, base string) {
		if _, body := fetch(t, h, base+"/a"); body != "real" {
			t.Fatalf("first answer %q", body)
		}
		select {
		case <-sent:
		case <-time.After(ioLimit):
			t.Fatal("the origin never sent its unasked answer")
		}
		if _, body := fetch(t, h, base+"/b"); body != "real" {
			t.Errorf("second answer %q, want \"real\" from a new connection", body)
		}
	})
}
