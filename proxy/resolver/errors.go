package resolver

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// Kinds of failure, for Error.Kind. They are machine-readable causes: the
// viewer turns them into advice, the resolver only says what happened.
const (
	KindNXDomain    = "nxdomain"     // the name does not exist (RCODE 3, RFC 1035 §4.1.1)
	KindServFail    = "servfail"     // every server answered SERVFAIL (RCODE 2); in trace mode, also: no server of a zone could be reached
	KindRefused     = "refused"      // every server answered REFUSED (RCODE 5)
	KindTimeout     = "timeout"      // no answer within Config.Timeout
	KindNoAddress   = "no-address"   // the name exists but has no A or AAAA record ("NODATA", RFC 2308 §2.2)
	KindNetwork     = "network"      // a socket error: no route, port unreachable...
	KindBadResponse = "bad-response" // an answer we must not use: malformed, mismatched, an unsafe referral
	KindInvalidName = "invalid-name" // the host is not a syntactically valid DNS name
	KindCanceled    = "canceled"     // the caller's context was canceled
)

// Error is a failed lookup. Error() is plain text without advice; callers
// that talk to users pick their advice from Kind.
type Error struct {
	Name   string // the host as asked for
	Kind   string // one of the Kind constants
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
func (e *Error) Timeout() bool { return e.Kind == KindTimeout }

func kindText(kind string) string {
	switch kind {
	case KindNXDomain:
		return "no such domain"
	case KindServFail:
		return "the DNS server failed to resolve the name"
	case KindRefused:
		return "the DNS server refused the query"
	case KindTimeout:
		return "no answer from the DNS server in time"
	case KindNoAddress:
		return "the name has no IPv4 or IPv6 address"
	case KindNetwork:
		return "could not reach the DNS server"
	case KindBadResponse:
		return "unusable answer"
	case KindInvalidName:
		return "not a valid host name"
	case KindCanceled:
		return "canceled"
	}
	return kind
}

// rcodeKind maps a response code that ends a query without an answer to an
// error kind.
func rcodeKind(rcode int) string {
	switch rcode {
	case dns.RcodeNameError:
		return KindNXDomain
	case dns.RcodeServerFailure:
		return KindServFail
	case dns.RcodeRefused:
		return KindRefused
	}
	return KindBadResponse
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
		return KindCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	case errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout
	case errors.As(err, &dnsErr), errors.Is(err, errBadResponse):
		// miekg reports malformed or mismatched messages as *dns.Error.
		return KindBadResponse
	}
	return KindNetwork
}

// errBadResponse marks an answer that parsed but does not answer our question.
var errBadResponse = errors.New("bad response")
