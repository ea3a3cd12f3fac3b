package proxy_test

import (
	"bytes"
	"crypto/tls"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy"
)

// recordConn captures what one side writes during a real handshake.
type recordConn struct {
	net.Conn
	out bytes.Buffer
}

func (c *recordConn) Write(p []byte) (int, error) {
	c.out.Write(p)
	return c.Conn.Write(p)
}

// hellos runs a real Go TLS handshake and returns the first bytes each side sent.
func hellos(t testing.TB, maxVersion uint16) (client, server []byte) {
	ts := httptest.NewTLSServer(nil)
	defer ts.Close()
	a, b := net.Pipe()
	ca := &recordConn{Conn: a}
	sb := &recordConn{Conn: b}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := tls.Server(sb, &tls.Config{Certificates: ts.TLS.Certificates, NextProtos: []string{"h2", "http/1.1"}, MaxVersion: maxVersion})
		s.SetDeadline(time.Now().Add(5 * time.Second))
		s.Handshake()
	}()
	c := tls.Client(ca, &tls.Config{ServerName: "shop.test", InsecureSkipVerify: true, NextProtos: []string{"h2", "http/1.1"}})
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Handshake()
	a.Close()
	b.Close()
	<-done
	return ca.out.Bytes(), sb.out.Bytes()
}

func TestParseHellos(t *testing.T) {
	for _, tc := range []struct {
		name    string
		max     uint16
		version uint16
		alpn    string
	}{
		{"tls13", tls.VersionTLS13, tls.VersionTLS13, ""},   // ALPN travels encrypted in 1.3
		{"tls12", tls.VersionTLS12, tls.VersionTLS12, "h2"}, // and in the clear in 1.2
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb, sb := hellos(t, tc.max)
			ch, err := proxy.ParseClientHello(cb)
			if err != nil || ch.SNI != "shop.test" || len(ch.ALPN) != 2 || ch.ALPN[0] != "h2" {
				t.Errorf("client hello %+v, %v", ch, err)
			}
			sh, err := proxy.ParseServerHello(sb)
			if err != nil || sh.Version != tc.version || sh.Cipher == 0 || sh.ALPN != tc.alpn {
				t.Errorf("server hello %+v, %v", sh, err)
			}
			// Byte by byte, the parser asks for more until the message is whole.
			for i := 0; i < 10 && i < len(cb); i++ {
				if _, err := proxy.ParseClientHello(cb[:i]); err == nil {
					t.Errorf("parsed a hello from %d bytes", i)
				}
			}
		})
	}
	if _, err := proxy.ParseClientHello([]byte("GET / HTTP/1.1\r\n\r\n")); err == nil {
		t.Error("plain HTTP parsed as a ClientHello")
	}
}

// FuzzParseHello feeds arbitrary bytes to both parsers: they must never
// panic or read out of bounds.
func FuzzParseHello(f *testing.F) {
	cb, sb := hellos(f, tls.VersionTLS13)
	f.Add(cb)
	f.Add(sb)
	f.Add([]byte{22, 3, 1, 0, 4, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		proxy.ParseClientHello(b)
		proxy.ParseServerHello(b)
	})
}
