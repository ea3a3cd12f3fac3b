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

// Kinds of dial failure, for DialError.Kind and store.FlowError.Kind. A DNS
// failure takes its kind from the resolver (resolver.KindNXDomain...).
const (
	KindRefused            = "refused"             // nothing listens on the port (ECONNREFUSED)
	KindUnreachable        = "unreachable"         // no route to the address (EHOSTUNREACH, ENETUNREACH)
	KindTimeout            = "timeout"             // no answer within ConnectTimeout or TLSTimeout
	KindCanceled           = "canceled"            // the caller gave up (or, for an attempt, another one won)
	KindUnknownAuthority   = "unknown-authority"   // the certificate chain ends at a CA we do not trust
	KindHostnameMismatch   = "hostname-mismatch"   // the certificate is for other names
	KindExpired            = "expired"             // the certificate is expired or not yet valid
	KindInvalidCertificate = "invalid-certificate" // another x509 verification failure
	KindNotTLS             = "not-tls"             // the server answered with something that is not TLS
	KindHandshake          = "handshake"           // the handshake failed otherwise (e.g. an alert)
	KindNoAddress          = "no-address"          // the name has no address of the network asked for
	KindError              = "error"               // anything else
)

// DialError is a failed dial: which step failed (Phase, one of
// store.PhaseDNS, store.PhaseConnect, store.PhaseTLS), a short cause (Kind),
// and the records of what happened. Error() is plain text without advice.
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
	}
	return e.Phase + " " + target + ": " + e.Err.Error()
}

func (e *DialError) Unwrap() error { return e.Err }

// Timeout lets code written for net.Error (http.Transport's among it) see a
// timed-out dial as a timeout.
func (e *DialError) Timeout() bool { return e.Kind == KindTimeout }

// connectKind classifies a TCP connection error.
func connectKind(err error) string {
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return KindUnreachable
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout
	}
	return KindError
}

// tlsKind classifies a TLS handshake error. Verification errors come
// wrapped in *tls.CertificateVerificationError; errors.As looks inside.
func tlsKind(err error) string {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		netErr   net.Error
	)
	switch {
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout
	case errors.As(err, &unknown):
		return KindUnknownAuthority
	case errors.As(err, &hostname):
		return KindHostnameMismatch
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return KindExpired
	case errors.As(err, &invalid):
		return KindInvalidCertificate
	case errors.As(err, &record):
		return KindNotTLS
	case errors.As(err, &alert):
		return KindHandshake
	}
	return KindHandshake
}

// dnsKind is the resolver's kind for a failed lookup.
func dnsKind(err error) string {
	var re *resolver.Error
	if errors.As(err, &re) {
		return re.Kind
	}
	if errors.Is(err, context.Canceled) {
		return KindCanceled
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return KindTimeout
	}
	return KindError
}
