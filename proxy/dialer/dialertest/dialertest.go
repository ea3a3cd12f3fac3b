// Package dialertest holds the origins tests dial when a dial is to fail:
// an address where nothing listens, a listener that never speaks, and
// self-signed certificates of any shape. The dialer's tests use them, and
// the proxy's, which drive the same failures through the proxy. Everything
// listens on loopback and is closed when the test ends.
package dialertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

// Refused returns an address on ip (a loopback address) where nothing
// listens: a port bound, then closed.
func Refused(tb testing.TB, ip string) string {
	tb.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Silent returns the address of a listener that accepts TCP connections
// and never writes to them (a TLS server that never answers the hello).
// accepted receives once a connection has been taken, when nobody has yet
// read the signal of an earlier one.
func Silent(tb testing.TB) (addr string, accepted <-chan struct{}) {
	tb.Helper()
	return silent(tb, false)
}

// Mute is Silent, but heard receives only once a client has sent
// something on a connection (a TLS client's hello): the client is past
// its TCP handshake and waiting for an answer.
func Mute(tb testing.TB) (addr string, heard <-chan struct{}) {
	tb.Helper()
	return silent(tb, true)
}

func silent(tb testing.TB, untilHeard bool) (string, <-chan struct{}) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ch := make(chan struct{}, 1)
	var mu sync.Mutex
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
			signal := func() {
				select {
				case ch <- struct{}{}:
				default:
				}
			}
			if !untilHeard {
				signal()
				continue
			}
			go func() {
				if n, _ := c.Read(make([]byte, 1)); n > 0 {
					signal()
				}
			}()
		}
	}()
	tb.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})
	return l.Addr().String(), ch
}

// SelfSigned makes a certificate that is its own CA and a server
// certificate for example.com, 127.0.0.1 and ::1, valid from an hour ago
// for a day; change, when not nil, alters it before it is signed (an
// expiry in the past, other names, other key usages). It returns the
// certificate to serve and a pool that trusts it.
func SelfSigned(tb testing.TB, change func(*x509.Certificate)) (tls.Certificate, *x509.CertPool) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		DNSNames:     []string{"example.com"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	tmpl.Subject.CommonName, tmpl.Subject.Organization = "glassbox test origin", []string{"Glassbox Test"}
	if change != nil {
		change(tmpl)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}
