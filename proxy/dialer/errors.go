package dialer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"syscall"

	"github.com/glassbox-dev/glassbox/proxy/resolver"
	"github.com/glassbox-dev/glassbox/store"
)

// DialError is a failed dial: which step failed (Phase, one of
// store.PhaseDNS, store.PhaseConnect, store.PhaseTLS, or store.PhaseProxy
// when Config.Allow refused every address), a short cause (Kind, one of
// store's Fail constants), and the records of what happened. Error() is
// plain text without advice.
//
// The dialer owns the classification of dial failures: a DNS failure takes
// its kind from the resolver (resolver.Error.Kind), a TCP or TLS failure
// from connectKind and tlsKind here. The proxy records Phase and Kind as
// they are.
type DialError struct {
	Phase  string
	Kind   string
	Conn   *store.Conn   // the failed connection as recorded; never nil
	Lookup *store.Lookup // the lookup made, nil for an IP address
	Err    error
}

func (e *DialError) Error() string {
	target := net.JoinHostPort(e.Conn.Host, e.Conn.Port)
	switch e.Phase {
	case store.PhaseDNS:
		return "dns: " + e.Err.Error()
	case store.PhaseConnect:
		return "connect to " + target + ": " + e.Err.Error()
	case store.PhaseTLS:
		return "tls handshake with " + target + " (" + e.Conn.RemoteAddr + "): " + e.Err.Error()
	case store.PhaseProxy:
		return "refused " + target + ": " + e.Err.Error()
	}
	return e.Phase + " " + target + ": " + e.Err.Error()
}

func (e *DialError) Unwrap() error { return e.Err }

// Timeout lets code written for net.Error (http.Transport's among it) see a
// timed-out dial as a timeout.
func (e *DialError) Timeout() bool { return e.Kind == store.FailTimeout }

// connectKind classifies a TCP connection error.
func connectKind(err error) string {
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return store.FailRefused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return store.FailUnreachable
	case errors.Is(err, context.Canceled):
		return store.FailCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return store.FailTimeout
	}
	return store.FailError
}

// tlsKind classifies a TLS handshake error. Verification errors come
// wrapped in *tls.CertificateVerificationError; errors.As looks inside, and
// a verification failure of no known shape is still one of the
// certificate.
func tlsKind(err error) string {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		netErr   net.Error
	)
	switch {
	case errors.Is(err, context.Canceled):
		return store.FailCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return store.FailTimeout
	case errors.As(err, &unknown):
		return store.FailUnknownAuthority
	case errors.As(err, &hostname):
		return store.FailHostnameMismatch
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return store.FailExpired
	case errors.As(err, &invalid), errors.As(err, &verify):
		return store.FailInvalidCertificate
	case errors.As(err, &record):
		return store.FailNotTLS
	}
	return store.FailHandshake // an alert from the server, no common cipher or version...
}

// dnsKind is the kind of a failed lookup: the resolver's own, or for
// another Resolver (the operating system's, which returns *net.DNSError)
// the nearest of store's.
func dnsKind(err error) string {
	var re *resolver.Error
	var de *net.DNSError
	switch {
	case errors.As(err, &re):
		return re.Kind
	case errors.Is(err, context.Canceled):
		return store.FailCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return store.FailTimeout
	case errors.As(err, &de) && de.IsNotFound:
		return store.FailNXDomain
	case errors.As(err, &de) && de.IsTimeout:
		return store.FailTimeout
	}
	return store.FailError
}
