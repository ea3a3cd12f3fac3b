package dialer_test

import (
	"context"
	"crypto/tls"
	"net"
	"testing"

	"github.com/glassbox-dev/glassbox/proxy/dialer"
)

// BenchmarkDialTCP is a recorded TCP dial to a loopback listener, by name
// (through a stub resolver), closed at once.
func BenchmarkDialTCP(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	d := dialer.New(dialer.Config{Resolver: resolves("shop.test", "127.0.0.1")})
	addr := "shop.test:" + port(b, l.Addr().String())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkDialTLS adds a full TLS 1.3 handshake (no resumption) with an
// httptest server.
func BenchmarkDialTLS(b *testing.B) {
	srv, pool := tlsServer(b)
	d := dialer.New(dialer.Config{
		Resolver:  resolves("example.com", "127.0.0.1"),
		TLSConfig: &tls.Config{RootCAs: pool},
	})
	addr := "example.com:" + port(b, srv.Listener.Addr().String())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c, err := d.DialTLSContext(ctx, "tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}
