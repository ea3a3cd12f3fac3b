package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// origin is the in-process server every scenario fetches from: plain HTTP
// and HTTPS (h2 offered, as real servers do) on loopback, with its own CA.
type origin struct {
	HTTPURL, HTTPSURL string
	CAPath            string // PEM of the CA that signed the HTTPS certificate
	Roots             *x509.CertPool
	// Conns counts the TCP connections the origin accepted: a proxy that
	// reuses its upstream connections opens few.
	Conns   atomic.Int64
	servers []*http.Server
}

// startOrigin serves /67b, /1k, /1m and /200m, each response distinct
// random bytes (originHandler): the 200 MiB response is streamed, never
// held.
func startOrigin(dir string) (*origin, error) {
	caCert, caKey, err := newSelfSignedCA("glassbox-bench origin CA")
	if err != nil {
		return nil, err
	}
	leaf, err := newServerCert(caCert, caKey)
	if err != nil {
		return nil, err
	}
	o := &origin{CAPath: dir + "/origin-ca.pem", Roots: x509.NewCertPool()}
	o.Roots.AddCert(caCert)
	if err := os.WriteFile(o.CAPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caCert.Raw}), 0o644); err != nil {
		return nil, fmt.Errorf("write the origin CA: %w", err)
	}

	h := originHandler()
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	secure, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		plain.Close()
		return nil, err
	}
	for _, ln := range []net.Listener{plain, secure} {
		srv := &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          log.New(io.Discard, "", 0),
			ConnState: func(_ net.Conn, st http.ConnState) {
				if st == http.StateNew {
					o.Conns.Add(1)
				}
			},
		}
		o.servers = append(o.servers, srv)
		if ln == secure {
			srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{leaf}}
			go func() { _ = srv.ServeTLS(ln, "", "") }()
		} else {
			go func() { _ = srv.Serve(ln) }()
		}
	}
	o.HTTPURL = "http://" + plain.Addr().String()
	o.HTTPSURL = "https://" + secure.Addr().String()
	return o, nil
}

func (o *origin) Close() {
	for _, s := range o.servers {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = s.Shutdown(ctx)
		cancel()
		s.Close()
	}
}

// poolSize is the random bytes bodies are cut from: larger than any body
// but the 200 MiB one, which wraps around it.
const poolSize = 16 << 20

// bodyStride is how far each response's body starts from the one before's
// in the pool: a prime, so that consecutive bodies of one size share no
// alignment and no two bodies of a run are the same bytes.
const bodyStride = 4099

// originHandler serves bodies of distinct, random bytes (issue 20: no
// compression or deduplication may flatter a number): response n of every
// path starts n*bodyStride bytes into a pool of random bytes made once,
// so serving one costs a copy, not a random number generator.
func originHandler() http.Handler {
	pool := make([]byte, poolSize)
	rand.Read(pool)
	var next atomic.Int64
	serve := func(size int64) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
			w.Header().Set("Cache-Control", "no-store")
			off := next.Add(1) * bodyStride % poolSize
			for left := size; left > 0; {
				n := min(left, int64(64<<10), poolSize-off)
				if _, err := w.Write(pool[off : off+n]); err != nil {
					return // the client went away
				}
				left -= n
				off = (off + n) % poolSize
			}
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /67b", serve(sizeTiny))
	mux.Handle("GET /1k", serve(sizeSmall))
	mux.Handle("GET /1m", serve(sizeLarge))
	mux.Handle("GET /200m", serve(sizeHuge))
	return mux
}

// newSelfSignedCA makes an ECDSA P-256 CA valid for a week.
func newSelfSignedCA(name string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

// newServerCert signs the origin's certificate for the loopback addresses
// (clients connect to 127.0.0.1, so it must carry the IP).
func newServerCert(ca *x509.Certificate, caKey *ecdsa.PrivateKey) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano() + 1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.Raw}, PrivateKey: key}, nil
}
