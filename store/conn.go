package store

import "time"

// Conn is one upstream connection glassbox opened: how its address was
// found, how it was connected and secured. Flows point at it by ConnID; the
// first flow to use it paid for it, later ones reused it.
type Conn struct {
	SessionID int64
	ID        int64

	Host       string // the name dialed, as in the request (no port)
	Port       string
	RemoteAddr string // IP:port finally connected to; empty on failure
	LocalAddr  string

	LookupID int64 // the DNS lookup this dial used; 0 when the host was an IP

	DNSStart     time.Time
	DNSEnd       time.Time
	ConnectStart time.Time // first TCP attempt started
	ConnectEnd   time.Time // a TCP attempt succeeded (or the last one failed)
	TLSStart     time.Time
	TLSEnd       time.Time
	Closed       time.Time

	// Attempts are the TCP connection attempts made, in start order
	// (several when addresses were tried one after another, RFC 8305).
	Attempts []DialAttempt

	TLS *TLSInfo // nil for plain HTTP

	Error *FlowError // set when the connection could not be made
}

// DialAttempt is one TCP connection attempt to one address.
type DialAttempt struct {
	Addr  string
	Start time.Time
	End   time.Time
	// Outcome is "ok", "refused", "timeout", "unreachable", "canceled"
	// (another attempt won) or "error".
	Outcome string
	Error   string
}

// TLSInfo describes a TLS session with an origin (or, for a tunnel, what was
// read from the handshake as it passed).
type TLSInfo struct {
	Version string // "TLS 1.3"
	Cipher  string // "TLS_AES_128_GCM_SHA256"
	ALPN    string // "h2", "http/1.1", or ""
	SNI     string
	Resumed bool
	// Chain is the peer's certificate chain, leaf first.
	Chain []CertSummary
}

// CertSummary is what a learner needs to know about one certificate.
type CertSummary struct {
	Subject   string
	Issuer    string
	DNSNames  []string
	NotBefore time.Time
	NotAfter  time.Time
}

// Lookup is one name resolution.
type Lookup struct {
	SessionID int64
	ID        int64
	Name      string // the name asked for
	// Source is where the answer came from: "hosts", "cache", "network" or "trace".
	Source string
	Server string // the server asked (network), or the hosts file path
	Rcode  string // "NOERROR", "NXDOMAIN", "SERVFAIL"... empty for hosts
	CNAMEs []string
	// Answers are the addresses found, with their TTLs.
	Answers []DNSAnswer
	// TTL is how long the answer may be kept, in seconds, as glassbox's
	// cache keeps it: the smallest TTL along the CNAME chain and the
	// answers (for a negative answer, RFC 2308 §5's). A hosts-file answer
	// has none (0): the file is read on every lookup.
	TTL   uint32
	Start time.Time
	End   time.Time
	RTT   time.Duration // the network round trip as the DNS client measured it
	// Hops is the resolution path in trace mode: root, TLD, authoritative.
	Hops  []DNSHop
	Error string
}

// DNSAnswer is one address record.
type DNSAnswer struct {
	Type string // "A" or "AAAA"
	Addr string
	TTL  uint32
}

// DNSHop is one step of an iterative (trace) resolution.
type DNSHop struct {
	Server   string // address asked
	Zone     string // the zone this server is authoritative or delegated for
	Referral []string
	Glue     []string
	Rcode    string
	Start    time.Time
	End      time.Time
	Error    string
}

// Page is one page load: a navigation and everything it pulled in.
type Page struct {
	SessionID int64
	ID        int64
	ParentID  int64 // for iframes: the page that contains this one
	FlowID    int64 // the navigation request that opened it
	URL       string
	Title     string
	Start     time.Time
	// MergedInto is set when the navigation that opened this page turned
	// out not to load one: a download (Content-Disposition: attachment),
	// after which the browser stayed on page MergedInto, where the flow
	// now is. Such a record holds no flows; the views skip it.
	MergedInto int64
}
