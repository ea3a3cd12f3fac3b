// Package resolvertest runs DNS servers on loopback for tests: the
// resolver's own, the proxy's and the command's. Every server listens on
// 127.0.0.x and is shut down when the test ends, so no test ever sends a
// query to the machine's own DNS servers.
//
// Serve and its variants start a miekg/dns server and return once it
// answers (its NotifyStartedFunc, never a sleep); Zone is a handler that
// answers from a fixed set of records.
package resolvertest

import (
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// startTimeout bounds the wait for a server to start.
const startTimeout = 5 * time.Second

// Serve runs h on an open UDP socket (pc) or TCP listener (l), whichever
// is not nil, until the test ends; it returns once the server is started.
func Serve(tb testing.TB, pc net.PacketConn, l net.Listener, h dns.Handler) {
	tb.Helper()
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Listener: l, Handler: h, NotifyStartedFunc: func() { close(started) }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.ActivateAndServe()
	}()
	select {
	case <-started:
	case <-done:
		tb.Fatal("DNS test server stopped before it started")
	case <-time.After(startTimeout):
		tb.Fatal("DNS test server did not start")
	}
	tb.Cleanup(func() {
		srv.Shutdown()
		<-done
	})
}

// ServeUDP starts h on 127.0.0.1:0 over UDP and returns its address.
func ServeUDP(tb testing.TB, h dns.Handler) string {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	Serve(tb, pc, nil, h)
	return pc.LocalAddr().String()
}

// ServeUDPAndTCP starts h on one loopback port over both UDP and TCP (for
// truncated answers retried over TCP) and returns its address.
func ServeUDPAndTCP(tb testing.TB, h dns.Handler) string {
	tb.Helper()
	for range 5 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			pc.Close() // the TCP port is taken: try another
			continue
		}
		Serve(tb, pc, nil, h)
		Serve(tb, nil, l, h)
		return pc.LocalAddr().String()
	}
	tb.Fatal("no loopback port free for both UDP and TCP")
	return ""
}

// Silent returns the address of a UDP socket that reads nothing and never
// answers: a DNS server that is down without saying so.
func Silent(tb testing.TB) string {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String()
}

// Closed returns a loopback UDP address where nothing listens: a DNS server
// that is down, which the kernel reports at once (ICMP port unreachable).
func Closed(tb testing.TB) string {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}
