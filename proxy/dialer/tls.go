package dialer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"net/netip"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// handshake runs the TLS client handshake over c and records it on info.
//
// It is timed here rather than through httptrace: after a custom
// DialTLSContext that handshakes itself, http.Transport's TLS hooks fire
// but measure about 2 µs, not the handshake; and the times belong to the
// connection, which may serve another request than the one that dialed
// it.
func (d *Dialer) handshake(ctx context.Context, c *Conn, host string, info *store.Conn) (*tls.Conn, error) {
	cfg := d.cfg.TLSConfig.Clone()
	if cfg == nil {
		cfg = &tls.Config{}
	}
	// ServerName drives both SNI and verification. For an IP address Go
	// sends no SNI (RFC 6066 §3 forbids literal addresses) and checks the
	// certificate's IP SANs instead.
	cfg.ServerName = host
	sni := host
	if _, err := netip.ParseAddr(host); err == nil {
		sni = ""
	}
	cfg.NextProtos = d.cfg.NextProtos
	if protos, ok := ctx.Value(nextProtosKey{}).([]string); ok {
		cfg.NextProtos = protos
	}

	tc := tls.Client(c, cfg)
	hctx, cancel := context.WithTimeout(ctx, d.cfg.TLSTimeout)
	defer cancel()
	info.TLSStart = d.cfg.Now()
	err := tc.HandshakeContext(hctx)
	info.TLSEnd = d.cfg.Now()
	info.TLS = tlsInfo(tc.ConnectionState(), sni, err)
	if err != nil {
		return nil, err
	}
	return tc, nil
}

type nextProtosKey struct{}

// WithNextProtos returns a context under which DialTLSContext offers protos
// in ALPN (RFC 7301) instead of Config.NextProtos: a request that must be
// sent over HTTP/1.1, such as a WebSocket's upgrade (HTTP/2 has no
// Upgrade, RFC 9113 §8.6), asks for a connection that offers only it.
func WithNextProtos(ctx context.Context, protos []string) context.Context {
	return context.WithValue(ctx, nextProtosKey{}, protos)
}

// tlsInfo describes a session. After a failed verification the chain is
// the one the server presented, so the user can see which certificate was
// refused.
func tlsInfo(st tls.ConnectionState, sni string, err error) *store.TLSInfo {
	ti := &store.TLSInfo{SNI: sni, ALPN: st.NegotiatedProtocol, Resumed: st.DidResume}
	if st.Version != 0 {
		ti.Version = tls.VersionName(st.Version)
	}
	if st.CipherSuite != 0 {
		ti.Cipher = tls.CipherSuiteName(st.CipherSuite)
	}
	certs := st.PeerCertificates
	var verr *tls.CertificateVerificationError
	if len(certs) == 0 && errors.As(err, &verr) {
		certs = verr.UnverifiedCertificates
	}
	for _, cert := range certs {
		ti.Chain = append(ti.Chain, summarize(cert))
	}
	return ti
}

func summarize(cert *x509.Certificate) store.CertSummary {
	return store.CertSummary{
		Subject:   nameString(cert.Subject),
		Issuer:    nameString(cert.Issuer),
		DNSNames:  append([]string(nil), cert.DNSNames...),
		NotBefore: cert.NotBefore,
		NotAfter:  cert.NotAfter,
	}
}

// nameString is "CN=..., O=..." when the name has either (what a learner
// recognises), else the name's full RFC 2253 form.
func nameString(n pkix.Name) string {
	var parts []string
	if n.CommonName != "" {
		parts = append(parts, "CN="+n.CommonName)
	}
	if len(n.Organization) > 0 {
		parts = append(parts, "O="+strings.Join(n.Organization, " "))
	}
	if len(parts) == 0 {
		return n.String()
	}
	return strings.Join(parts, ", ")
}
