package resolver

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/glassbox-dev/glassbox/store"
)

// Error is a failed lookup. Error() is plain text without advice; callers
// that talk to users pick their advice from Kind.
//
// The resolver owns the kinds of DNS failure: Kind is one of store's Fail
// constants (nxdomain, servfail, refused, timeout, no-address, network,
// bad-response, invalid-name, canceled), which the dialer records as they
// are.
type Error struct {
	Name   string // the host as asked for
	Kind   string // store.FailNXDomain, store.FailServFail...: see above
	Server string // the last server that answered or was asked, host:port; empty when none
	Rcode  string // the DNS response code, e.g. "NXDOMAIN"; empty when there was no response
	Err    error  // the underlying error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("lookup ")
	b.WriteString(e.Name)
	b.WriteString(": ")
	b.WriteString(kindText(e.Kind))
	switch {
	case e.Rcode != "" && e.Server != "":
		b.WriteString(" (" + e.Rcode + " from " + e.Server + ")")
	case e.Rcode != "":
		b.WriteString(" (" + e.Rcode + ")")
	case e.Server != "":
		b.WriteString(" (server " + e.Server + ")")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Timeout reports whether the lookup timed out, so that code written for
// net.Error (http.Transport among it) sees a DNS timeout as a timeout.
func (e *Error) Timeout() bool { return e.Kind == store.FailTimeout }

func kindText(kind string) string {
	switch kind {
	case store.FailNXDomain:
		return "no such domain"
	case store.FailServFail:
		return "the DNS server failed to resolve the name"
	case store.FailRefused:
		return "the DNS server refused the query"
	case store.FailTimeout:
		return "no answer from the DNS server in time"
	case store.FailNoAddress:
		return "the name has no IPv4 or IPv6 address"
	case store.FailNetwork:
		return "could not reach the DNS server"
	case store.FailBadResponse:
		return "unusable answer"
	case store.FailInvalidName:
		return "not a valid host name"
	case store.FailCanceled:
		return "canceled"
	}
	return kind
}

// rcodeKind maps a response code that ends a query without an answer to an
// error kind.
func rcodeKind(rcode int) string {
	switch rcode {
	case dns.RcodeNameError:
		return store.FailNXDomain
	case dns.RcodeServerFailure:
		return store.FailServFail
	case dns.RcodeRefused:
		return store.FailRefused
	}
	return store.FailBadResponse
}

// rcodeString names a response code; unknown codes read as "RCODE<n>".
func rcodeString(rcode int) string {
	if s, ok := dns.RcodeToString[rcode]; ok {
		return s
	}
	return "RCODE" + strconv.Itoa(rcode)
}

// errKind classifies a transport error from an exchange.
func errKind(err error) string {
	var dnsErr *dns.Error
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return store.FailCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return store.FailTimeout
	case errors.As(err, &netErr) && netErr.Timeout():
		return store.FailTimeout
	case errors.As(err, &dnsErr), errors.Is(err, errBadResponse):
		// miekg reports malformed or mismatched messages as *dns.Error.
		return store.FailBadResponse
	}
	return store.FailNetwork
}

// errBadResponse marks an answer that parsed but does not answer our question.
var errBadResponse = errors.New("bad response")
