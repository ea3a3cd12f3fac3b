//go:build unix

package proxy

import (
	"errors"
	"net"
	"syscall"

	"github.com/glassbox-dev/glassbox/proxy/dialer"
)

// idleState looks at an idle connection's socket without reading from it
// (MSG_PEEK, MSG_DONTWAIT): one system call. An origin may close a kept
// connection at any time (RFC 9112 §9.3.1), and one that sends bytes no
// request asked for (a stray CRLF after a body, a second response) would
// have them read as the next request's answer: http.Transport reads every
// idle connection all along to see both; the h1Client looks before it
// reuses one.
func idleState(c net.Conn) connIdle {
	dc := dialer.ConnOf(c)
	if dc == nil {
		return idleUnknown
	}
	sc, ok := dc.Conn.(syscall.Conn)
	if !ok {
		return idleUnknown
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return idleGone
	}
	state := idleUnknown
	var b [1]byte
	err = raw.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK):
			state = idleClean
		case err != nil, n == 0:
			state = idleGone // reset, or closed (end of stream)
		default:
			state = idleUnasked
		}
		return true // done: never wait for the socket to become readable
	})
	if err != nil {
		return idleGone
	}
	return state
}
