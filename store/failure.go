package store

// Where a flow failed and why: the one vocabulary the proxy records, the
// database stores, HAR's _error carries and the explanations read. A new
// kind of failure is added here, in Failures, and explained in
// inspector/explain/errors.go; a test there walks Failures and fails for a
// pair without its own explanation.

// Error phases: where in the life of a request something failed. They match
// the steps of the story glassbox tells (DESIGN.md) and, but for client and
// proxy, the timing phases of phase.go.
const (
	PhaseDNS     = "dns"     // finding the IP address
	PhaseConnect = "connect" // the TCP handshake
	PhaseTLS     = "tls"     // the TLS handshake with the origin
	PhaseSend    = "send"    // writing the request upstream
	PhaseWait    = "wait"    // waiting for the response head
	PhaseReceive = "receive" // reading the response body
	PhaseClient  = "client"  // the browser went away or sent something unusable
	PhaseProxy   = "proxy"   // glassbox itself refused or could not serve
)

// Kinds of failure (FlowError.Kind): a short machine-readable cause inside
// a phase. The same word may serve several phases ("timeout").
const (
	FailNXDomain           = "nxdomain"            // the name does not exist (RCODE 3, RFC 1035 §4.1.1)
	FailServFail           = "servfail"            // the DNS servers answered SERVFAIL (RCODE 2), or none of a zone could be reached (trace)
	FailRefused            = "refused"             // DNS: the servers answered REFUSED (RCODE 5); TCP: nothing listens (ECONNREFUSED)
	FailNoAddress          = "no-address"          // the name exists but has no A or AAAA record (NODATA, RFC 2308 §2.2)
	FailNetwork            = "network"             // a DNS socket error: no route, port unreachable
	FailBadResponse        = "bad-response"        // a DNS answer that must not be used: malformed, mismatched, an unsafe referral
	FailInvalidName        = "invalid-name"        // the host is not a valid DNS name
	FailUnreachable        = "unreachable"         // no route to the address (EHOSTUNREACH, ENETUNREACH)
	FailTimeout            = "timeout"             // the step did not finish within its limit
	FailCanceled           = "canceled"            // the step was given up: its caller went away, or another attempt won
	FailUnknownAuthority   = "unknown-authority"   // the certificate chain ends at a CA that is not trusted
	FailHostnameMismatch   = "hostname-mismatch"   // the certificate is for other names
	FailExpired            = "expired"             // the certificate is expired or not yet valid
	FailInvalidCertificate = "invalid-certificate" // another certificate verification failure
	FailNotTLS             = "not-tls"             // the server answered with something that is not TLS
	FailHandshake          = "handshake"           // the TLS handshake failed otherwise (an alert, no common cipher)
	FailEOF                = "eof"                 // the origin closed the connection before a response head
	FailMalformed          = "malformed"           // the peer sent something that is not valid HTTP
	FailTruncated          = "truncated"           // the body ended before its announced end
	FailAborted            = "aborted"             // the browser went away before the response was complete
	FailAuth               = "auth"                // the proxy's credentials were missing or wrong (--auth)
	FailOwnAddress         = "own-address"         // the destination is one of glassbox's own addresses (its listener, its profiler)
	FailPrivateAddress     = "private-address"     // a name that looks public led to a loopback or private address (DNS rebinding)
	FailError              = "error"               // anything else; the message has the details
)

// Failure is one (phase, kind) pair glassbox records.
type Failure struct {
	Phase string
	Kind  string
}

// Failures lists every pair the proxy, the dialer and the resolver record,
// phase by phase, in the order of the story. The dns, connect and tls pairs
// are the dialer's (with the resolver's kinds for dns), on a flow and on
// its connection alike, and so are proxy's own-address and private-address
// (the proxy's destination rule refused every address), except canceled: a dial is canceled only once no
// request waits for it (a browser that went away is client/aborted on its
// flow), so dns, connect and tls canceled appear on connection records
// only. A TLS failure of no known kind is "handshake": tls has no "error".
var Failures = []Failure{
	{PhaseDNS, FailNXDomain}, {PhaseDNS, FailServFail}, {PhaseDNS, FailRefused}, {PhaseDNS, FailTimeout},
	{PhaseDNS, FailNoAddress}, {PhaseDNS, FailNetwork}, {PhaseDNS, FailBadResponse}, {PhaseDNS, FailInvalidName},
	{PhaseDNS, FailCanceled}, {PhaseDNS, FailError},

	{PhaseConnect, FailRefused}, {PhaseConnect, FailUnreachable}, {PhaseConnect, FailTimeout},
	{PhaseConnect, FailCanceled}, {PhaseConnect, FailError},

	{PhaseTLS, FailUnknownAuthority}, {PhaseTLS, FailHostnameMismatch}, {PhaseTLS, FailExpired},
	{PhaseTLS, FailInvalidCertificate}, {PhaseTLS, FailNotTLS}, {PhaseTLS, FailHandshake},
	{PhaseTLS, FailTimeout}, {PhaseTLS, FailCanceled},

	{PhaseSend, FailTimeout}, {PhaseSend, FailError},

	{PhaseWait, FailTimeout}, {PhaseWait, FailEOF}, {PhaseWait, FailMalformed}, {PhaseWait, FailError},

	{PhaseReceive, FailTruncated}, {PhaseReceive, FailTimeout}, {PhaseReceive, FailError},

	{PhaseClient, FailAborted},

	{PhaseProxy, FailAuth}, {PhaseProxy, FailOwnAddress}, {PhaseProxy, FailPrivateAddress},
}
