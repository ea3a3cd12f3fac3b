package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

const (
	// leafValidity is short because a leaf is re-minted for free; browsers
	// cap publicly trusted leaves at 398 days (CA/B Forum Baseline
	// Requirements 6.3.2) and we stay far below that.
	leafValidity = 30 * 24 * time.Hour
	// maxCommonName is the upper bound on a CommonName (RFC 5280 appendix
	// A.1, ub-common-name); longer names go in the SAN only.
	maxCommonName = 64
	// maxDNSName is the longest textual DNS name (RFC 1035 section 2.3.4).
	maxDNSName = 253
)

// Mint issues a leaf certificate for host signed by the CA. host may carry a
// port and may be a DNS name or an IPv4/IPv6 literal (bracketed or not);
// wildcards are refused because we always know the exact name. The result
// chains to the CA (Certificate is leaf then CA) and has Leaf set.
//
// Each leaf gets its own P-256 key: generating one costs about as much as
// the signature, and a leaked leaf key then exposes one host only.
func (ca *CA) Mint(host string) (*tls.Certificate, error) {
	name := hostKey(host)
	tmpl, err := leafTemplate(name)
	if err != nil {
		return nil, fmt.Errorf("mint certificate for %q: %w", host, err)
	}
	now := time.Now()
	tmpl.NotBefore = now.Add(-backdate)
	tmpl.NotAfter = now.Add(leafValidity)
	if ca.Cert.NotAfter.Before(tmpl.NotAfter) {
		// A leaf must not outlive its issuer; clients reject the chain.
		tmpl.NotAfter = ca.Cert.NotAfter
	}
	if !tmpl.NotAfter.After(now) {
		return nil, fmt.Errorf("mint certificate for %q: the CA expired on %s; %s", host, ca.Cert.NotAfter.Format(time.DateOnly), regenerateAdvice)
	}
	tmpl.AuthorityKeyId = ca.Cert.SubjectKeyId
	if tmpl.SerialNumber, err = randomSerial(); err != nil {
		return nil, fmt.Errorf("mint certificate for %q: serial: %w", host, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("mint certificate for %q: key: %w", host, err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("mint certificate for %q: sign: %w", host, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("mint certificate for %q: parse: %w", host, err)
	}
	return &tls.Certificate{
		// Sending the CA too lets clients that have it under a different
		// path (or only as an intermediate hint) build the chain.
		Certificate: [][]byte{der, ca.Cert.Raw},
		PrivateKey:  key,
		Leaf:        leaf,
	}, nil
}

// leafTemplate fills in everything of a leaf that depends on its name.
func leafTemplate(name string) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{Organization: []string{"glassbox interception"}},
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if len(name) <= maxCommonName {
		// Clients check the SAN only; the CN is for people reading the
		// certificate viewer.
		tmpl.Subject.CommonName = name
	}
	if ip, err := netip.ParseAddr(name); err == nil {
		tmpl.IPAddresses = []net.IP{ip.WithZone("").AsSlice()}
		return tmpl, nil
	}
	if err := checkDNSName(name); err != nil {
		return nil, err
	}
	tmpl.DNSNames = []string{name}
	return tmpl, nil
}

// checkDNSName refuses names no TLS client would ask for. Underscores are
// allowed: they are not valid host names, but they occur in the wild and
// clients accept them in certificates.
func checkDNSName(name string) error {
	switch {
	case name == "":
		return errors.New("empty host name")
	case len(name) > maxDNSName:
		return fmt.Errorf("host name longer than %d characters", maxDNSName)
	case strings.Contains(name, "*"):
		return errors.New("wildcard names are not minted; ask for the exact host")
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" {
			return errors.New("empty label in host name")
		}
		for _, c := range label {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("character %q is not allowed in a host name (internationalised names must arrive in their xn-- form)", c)
			}
		}
	}
	return nil
}

// hostKey normalises a host as it arrives from a CONNECT line, a Host
// header or SNI: port and IPv6 brackets removed, lower case, no trailing
// dot. It is both the certificate name and the cache key.
func hostKey(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return host
}
