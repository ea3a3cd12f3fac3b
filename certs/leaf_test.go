package certs_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"
)

func TestMint(t *testing.T) {
	ca := mustCA(t)
	other := mustCA(t)
	tests := []struct {
		name   string
		host   string
		verify string // name a client would check
		dns    string // expected DNS SAN, "" for an IP leaf
		ip     string // expected IP SAN
	}{
		{"dns-name", "shop.test", "shop.test", "shop.test", ""},
		{"ipv4", "127.0.0.1", "127.0.0.1", "", "127.0.0.1"},
		{"ipv6", "::1", "::1", "", "::1"},
		{"dns-with-port", "shop.test:8443", "shop.test", "shop.test", ""}, // CONNECT target with a port
		{"ipv6-with-port", "[::1]:443", "::1", "", "::1"},                 // bracketed IPv6 with a port
		{"ipv6-bracketed", "[2001:db8::7]", "2001:db8::7", "", "2001:db8::7"},
		{"case-and-trailing-dot", "Shop.TEST.", "shop.test", "shop.test", ""},          // case and trailing dot folded
		{"underscore", "my_host.internal", "my_host.internal", "my_host.internal", ""}, // underscores occur in the wild
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc, err := ca.Mint(tt.host)
			if err != nil {
				t.Fatal(err)
			}
			leaf := tc.Leaf
			if leaf == nil {
				t.Fatal("Leaf not set")
			}
			if len(tc.Certificate) != 2 || !bytes.Equal(tc.Certificate[0], leaf.Raw) || !bytes.Equal(tc.Certificate[1], ca.DER()) {
				t.Error("Certificate is not [leaf, CA]")
			}
			opts := x509.VerifyOptions{DNSName: tt.verify, Roots: poolOf(ca), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
			if _, err := leaf.Verify(opts); err != nil {
				t.Errorf("leaf does not verify against the CA: %v", err)
			}
			opts.Roots = poolOf(other)
			if _, err := leaf.Verify(opts); err == nil {
				t.Error("leaf verifies against another install's CA")
			}
			switch {
			case tt.dns != "":
				if len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != tt.dns || len(leaf.IPAddresses) != 0 {
					t.Errorf("SANs = %q %v; want DNS %q", leaf.DNSNames, leaf.IPAddresses, tt.dns)
				}
			default:
				if len(leaf.IPAddresses) != 1 || !leaf.IPAddresses[0].Equal(net.ParseIP(tt.ip)) || len(leaf.DNSNames) != 0 {
					t.Errorf("SANs = %q %v; want IP %s", leaf.DNSNames, leaf.IPAddresses, tt.ip)
				}
			}
			now := time.Now()
			if leaf.NotAfter.After(ca.Cert.NotAfter) || leaf.NotAfter.After(now.Add(31*24*time.Hour)) || !leaf.NotBefore.Before(now.Add(-50*time.Minute)) {
				t.Errorf("validity %v .. %v; want backdated, at most 30 days, within the CA's", leaf.NotBefore, leaf.NotAfter)
			}
			if leaf.IsCA || leaf.KeyUsage != x509.KeyUsageDigitalSignature {
				t.Errorf("IsCA=%v KeyUsage=%b; want a leaf for signatures only", leaf.IsCA, leaf.KeyUsage)
			}
			if !bytes.Equal(leaf.AuthorityKeyId, ca.Cert.SubjectKeyId) {
				t.Error("AuthorityKeyId does not point at the CA")
			}
			if k, ok := tc.PrivateKey.(*ecdsa.PrivateKey); !ok || k.Curve != elliptic.P256() || !k.PublicKey.Equal(leaf.PublicKey) {
				t.Errorf("private key %T does not match the leaf or is not P-256", tc.PrivateKey)
			}
		})
	}
}

func TestMintRefuses(t *testing.T) {
	ca := mustCA(t)
	for _, host := range []string{
		"",                                 // nothing to name
		":443",                             // port only
		"*.shop.test",                      // wildcards are never needed: we know the exact name
		"shop..test",                       // empty label
		"shop test",                        // space
		"bücher.test",                      // must arrive as xn--bcher-kva.test
		strings.Repeat("a.", 127) + "test", // over 253 characters
	} {
		if _, err := ca.Mint(host); err == nil {
			t.Errorf("Mint(%q) succeeded", host)
		} else if !strings.Contains(err.Error(), "mint certificate for") {
			t.Errorf("Mint(%q) error %q does not say what failed", host, err)
		}
	}
}

func TestMintStaysWithinCA(t *testing.T) {
	caNotAfter := time.Now().Add(5 * 24 * time.Hour).Truncate(time.Second)
	ca, _, _ := handMadeCA(t, time.Now().Add(-time.Hour), caNotAfter)
	tc, err := ca.Mint("shop.test")
	if err != nil {
		t.Fatal(err)
	}
	if !tc.Leaf.NotAfter.Equal(caNotAfter) {
		t.Errorf("leaf NotAfter = %v, want the CA's %v", tc.Leaf.NotAfter, caNotAfter)
	}

	expired, _, _ := handMadeCA(t, time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour))
	if _, err := expired.Mint("shop.test"); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("Mint with an expired CA: err = %v, want one saying it expired", err)
	}
}

func BenchmarkMint(b *testing.B) {
	ca := mustCA(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ca.Mint("shop.test"); err != nil {
			b.Fatal(err)
		}
	}
}
