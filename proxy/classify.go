package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/glassbox-dev/glassbox/proxy/dialer"
	"github.com/glassbox-dev/glassbox/store"
)

// classify turns a round-trip error into the phase it happened in and a
// short kind, using what the trace saw of the flow so far.
func classify(err error, f *store.Flow) *store.FlowError {
	fe := &store.FlowError{Message: err.Error()}
	var de *dialer.DialError
	if errors.As(err, &de) {
		fe.Phase, fe.Kind = de.Phase, de.Kind
		return fe
	}
	switch {
	case f.GotConn.IsZero():
		fe.Phase, fe.Kind = dialPhase(err)
	case f.WroteRequest.IsZero():
		fe.Phase, fe.Kind = store.PhaseSend, "error"
		if isTimeout(err) {
			fe.Kind = "timeout"
		}
	default:
		fe.Phase = store.PhaseWait
		switch {
		case isTimeout(err):
			fe.Kind = "timeout"
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
			strings.Contains(err.Error(), "server closed"):
			fe.Kind = "eof"
		case strings.Contains(err.Error(), "malformed"), strings.Contains(err.Error(), "invalid"),
			strings.Contains(err.Error(), "headers exceeded"):
			fe.Kind = "malformed"
		default:
			fe.Kind = "error"
		}
	}
	return fe
}

// dialPhase classifies an error that happened before a connection existed.
func dialPhase(err error) (phase, kind string) {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return store.PhaseDNS, "nxdomain"
		case dnsErr.IsTimeout:
			return store.PhaseDNS, "timeout"
		}
		return store.PhaseDNS, "error"
	}
	if phase, kind, ok := tlsKind(err); ok {
		return phase, kind
	}
	msg := err.Error()
	if strings.Contains(msg, "TLS handshake") {
		if isTimeout(err) {
			return store.PhaseTLS, "timeout"
		}
		return store.PhaseTLS, "handshake"
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return store.PhaseConnect, "refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return store.PhaseConnect, "unreachable"
	case isTimeout(err):
		return store.PhaseConnect, "timeout"
	}
	return store.PhaseConnect, "error"
}

// tlsKind recognises certificate and handshake failures.
func tlsKind(err error) (phase, kind string, ok bool) {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var rh tls.RecordHeaderError
	var alert tls.AlertError
	var cv *tls.CertificateVerificationError
	switch {
	case errors.As(err, &ua):
		return store.PhaseTLS, "unknown-authority", true
	case errors.As(err, &he):
		return store.PhaseTLS, "hostname-mismatch", true
	case errors.As(err, &ci):
		if ci.Reason == x509.Expired {
			return store.PhaseTLS, "expired", true
		}
		return store.PhaseTLS, "handshake", true
	case errors.As(err, &cv):
		return store.PhaseTLS, "handshake", true
	case errors.As(err, &rh):
		return store.PhaseTLS, "not-tls", true
	case errors.As(err, &alert):
		return store.PhaseTLS, "handshake", true
	case strings.HasPrefix(err.Error(), "tls: "):
		return store.PhaseTLS, "handshake", true
	}
	return "", "", false
}

// classifyBodyErr classifies an error that ended a response body.
func classifyBodyErr(err error) *store.FlowError {
	// The request's context ends when the browser goes away mid-body.
	if errors.Is(err, errClosedEarly) || errors.Is(err, context.Canceled) {
		return &store.FlowError{Phase: store.PhaseClient, Kind: "aborted", Message: "the browser closed the response before its end"}
	}
	fe := &store.FlowError{Phase: store.PhaseReceive, Kind: "error", Message: err.Error()}
	switch {
	case isTimeout(err):
		fe.Kind = "timeout"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF):
		fe.Kind = "truncated"
	}
	return fe
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
