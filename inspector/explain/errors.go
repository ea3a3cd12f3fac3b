package explain

import (
	"fmt"
	"sort"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// Problem explains one failure: what happened, why it usually happens, and
// what the user can do.
type Problem struct {
	Title string // one line: "The name does not exist (NXDOMAIN)"
	What  string // what glassbox saw, in the step where it happened
	Why   string // the usual causes
	Fix   string // what to try next
	Ref   string // where the rule is written down, e.g. "RFC 9499 §3"
}

// Phase names the step of the story a phase constant stands for.
func Phase(phase string) string {
	switch phase {
	case store.PhaseDNS:
		return "finding the IP address (DNS)"
	case store.PhaseConnect:
		return "connecting (the TCP handshake)"
	case store.PhaseTLS:
		return "securing the connection (the TLS handshake)"
	case store.PhaseSend:
		return "sending the request"
	case store.PhaseWait:
		return "waiting for the server's answer"
	case store.PhaseReceive:
		return "downloading the response body"
	case store.PhaseClient:
		return "talking to the browser"
	case store.PhaseProxy:
		return "glassbox itself"
	}
	return phase
}

var problems = map[string]Problem{
	"dns/nxdomain": {
		Title: "The name does not exist (NXDOMAIN)",
		What:  "The DNS server answered that there is no such name, so there is no IP address to connect to.",
		Why:   "A typo in the address, a domain that expired or was never registered, or a name that exists only on another network (a company intranet, a test name missing from the hosts file).",
		Fix:   "Check the spelling. If the name is internal, point glassbox at the right DNS server with --dns HOST:PORT or add it to the hosts file given with --hosts.",
		Ref:   "RFC 9499 §3 (NXDOMAIN), RFC 2308 §2.1",
	},
	"dns/servfail": {
		Title: "The DNS server failed (SERVFAIL)",
		What:  "The DNS server could not produce an answer for this name.",
		Why:   "The domain's own name servers are down or misconfigured, or DNSSEC validation failed for it.",
		Fix:   "Try again in a moment, or try another resolver with --dns. A tool like dig +trace shows which server in the chain is failing.",
		Ref:   "RFC 1035 §4.1.1 (RCODE 2)",
	},
	"dns/refused": {
		Title: "The DNS server refused to answer (REFUSED)",
		What:  "The DNS server will not answer questions from this machine.",
		Why:   "The server only serves certain networks, or it is an authoritative server that does not resolve other names.",
		Fix:   "Use a resolver that serves you, with --dns HOST:PORT.",
		Ref:   "RFC 1035 §4.1.1 (RCODE 5)",
	},
	"dns/timeout": {
		Title: "No DNS answer in time",
		What:  "No DNS server answered before the time limit.",
		Why:   "The DNS server is unreachable (no network, a firewall) or overloaded.",
		Fix:   "Check the network connection and the servers in /etc/resolv.conf, or name a reachable one with --dns.",
		Ref:   "RFC 1035 §4.2.1",
	},
	"dns/no-address": {
		Title: "The name has no address",
		What:  "The name exists, but it has no A (IPv4) or AAAA (IPv6) record to connect to.",
		Why:   "The name is used for something else (mail, a service record) or its address records were removed.",
		Fix:   "Check the address; the owner of the domain must publish an A or AAAA record for it.",
		Ref:   "RFC 2308 §2.2 (NODATA)",
	},
	"dns/error": {
		Title: "The address could not be found",
		What:  "Finding the IP address for this name failed.",
		Why:   "The DNS servers could not be asked or gave an answer glassbox could not use.",
		Fix:   "Check the network and the DNS servers (--dns); the message below has the details.",
		Ref:   "RFC 1034 §5",
	},
	"dns/canceled": {
		Title: "The lookup was given up",
		What:  "glassbox stopped looking up the address before an answer came, because nobody was waiting for it any more.",
		Why:   "The browser went away first: the tab was closed, the page was left, or the load was stopped.",
		Fix:   "Nothing is wrong with the site; load the page again to see the whole request.",
		Ref:   "RFC 9110 §9.2.1 (a client may abandon a request)",
	},
	"connect/canceled": {
		Title: "The connection attempt was given up",
		What:  "glassbox stopped connecting to the server before the TCP handshake finished, because nobody was waiting for the answer any more.",
		Why:   "The browser went away first: the tab was closed, the page was left, or the load was stopped.",
		Fix:   "Nothing is wrong with the site; load the page again to see the whole request.",
		Ref:   "RFC 9293 §3.5",
	},
	"tls/canceled": {
		Title: "The TLS handshake was given up",
		What:  "glassbox stopped securing the connection before the handshake finished, because nobody was waiting for the answer any more.",
		Why:   "The browser went away first: the tab was closed, the page was left, or the load was stopped.",
		Fix:   "Nothing is wrong with the site; load the page again to see the whole request.",
		Ref:   "RFC 8446 §2",
	},
	"connect/refused": {
		Title: "Connection refused",
		What:  "The server's machine answered the TCP handshake with a reset: nothing is listening on that port.",
		Why:   "The web server is not running, listens on another port, or a firewall rejects the connection.",
		Fix:   "Check that the server is running and the port in the URL is right.",
		Ref:   "RFC 9293 §3.5.2 (reset generation)",
	},
	"connect/timeout": {
		Title: "The connection timed out",
		What:  "The TCP handshake got no answer before the time limit.",
		Why:   "The address is unreachable or a firewall silently drops the packets.",
		Fix:   "Check the address and the network path; try again later.",
		Ref:   "RFC 9293 §3.5 (three-way handshake)",
	},
	"connect/unreachable": {
		Title: "The network is unreachable",
		What:  "This machine has no route to the server's address.",
		Why:   "No network connection, or the address family (often IPv6) is not available here.",
		Fix:   "Check the network connection; if only IPv6 fails, the site may still work over IPv4.",
		Ref:   "RFC 1122 §3.2.2.1",
	},
	"connect/error": {
		Title: "The connection failed",
		What:  "The TCP connection to the server could not be made.",
		Why:   "The message below says what the operating system reported.",
		Fix:   "Check the address, the port and the network.",
		Ref:   "RFC 9293 §3.5",
	},
	"tls/unknown-authority": {
		Title: "The server's certificate is not trusted",
		What:  "The server's certificate was not issued by an authority glassbox trusts, so it cannot prove it is the real server.",
		Why:   "A self-signed or private-CA certificate (common on test servers), a missing intermediate certificate, or someone in between.",
		Fix:   "For a private CA, pass its certificate with --upstream-ca FILE. Only for a throwaway test server: --insecure-upstream skips the check.",
		Ref:   "RFC 8446 §4.4.2, RFC 5280 §6",
	},
	"tls/hostname-mismatch": {
		Title: "The certificate is for another name",
		What:  "The server's certificate does not list the name in the URL.",
		Why:   "The wrong server answered, the certificate was not renewed with all names, or the address is an IP while the certificate names a host.",
		Fix:   "Use the name the certificate was issued for, or fix the server's certificate.",
		Ref:   "RFC 9110 §4.3.4, RFC 9525 §6",
	},
	"tls/expired": {
		Title: "The certificate has expired (or is not yet valid)",
		What:  "The server's certificate is outside its validity period.",
		Why:   "The certificate was not renewed, or this machine's clock is wrong.",
		Fix:   "Check the system clock; otherwise the server's owner must renew the certificate.",
		Ref:   "RFC 5280 §4.1.2.5",
	},
	"tls/invalid-certificate": {
		Title: "The server's certificate is not valid",
		What:  "The server's certificate chain failed a check other than its name, its dates or its issuer.",
		Why:   "A certificate not allowed to sign others in the chain, one not meant for servers (its key usage), or a chain longer than its issuer permits.",
		Fix:   "The server's owner must fix the certificate chain; the message below names the failed check.",
		Ref:   "RFC 5280 §6.1 (path validation)",
	},
	"tls/handshake": {
		Title: "The TLS handshake failed",
		What:  "glassbox and the server could not agree on how to secure the connection.",
		Why:   "No common TLS version or cipher, the server demands a client certificate, or it aborted with an alert.",
		Fix:   "The message below names the alert; an old server may only speak versions glassbox refuses.",
		Ref:   "RFC 8446 §6 (alerts)",
	},
	"tls/not-tls": {
		Title: "The server does not speak TLS on this port",
		What:  "The bytes that came back were not a TLS handshake.",
		Why:   "An https:// URL pointing at a plain HTTP port (for example :80 or :8080).",
		Fix:   "Use http:// for this port, or the port where the server offers HTTPS.",
		Ref:   "RFC 8446 §5.1",
	},
	"tls/timeout": {
		Title: "The TLS handshake timed out",
		What:  "The TCP connection was made, but the server did not complete the TLS handshake in time.",
		Why:   "An overloaded server, or a port that accepts connections but speaks no TLS.",
		Fix:   "Try again; check that the port offers HTTPS.",
		Ref:   "RFC 8446 §2",
	},
	"tls/error": {
		Title: "The connection could not be secured",
		What:  "The TLS handshake with the server failed.",
		Why:   "The message below has the details.",
		Fix:   "Check the server's certificate and TLS settings.",
		Ref:   "RFC 8446",
	},
	"send/error": {
		Title: "The request could not be sent",
		What:  "The connection broke while glassbox was sending the request to the server.",
		Why:   "The server closed or reset the connection, often because the request was too large or it was shutting down.",
		Fix:   "Retry; if it repeats, check the server's limits on request size.",
		Ref:   "RFC 9112 §9.6 (tear-down)",
	},
	"wait/timeout": {
		Title: "The server did not answer in time",
		What:  "The request was sent, but no response arrived before the time limit.",
		Why:   "The server is slow or stuck on this request.",
		Fix:   "Look at the server; the wait phase is the server's own work.",
		Ref:   "RFC 9110 §15.6.5 (504)",
	},
	"wait/eof": {
		Title: "The server closed the connection without answering",
		What:  "The request was sent, then the server closed the connection before sending a response.",
		Why:   "The server crashed on this request, or it closed an idle connection just as it was reused.",
		Fix:   "Retry; check the server's logs if it happens again.",
		Ref:   "RFC 9112 §9.6, RFC 9110 §9.2.2 (retrying idempotent requests)",
	},
	"wait/malformed": {
		Title: "The server's response was not valid HTTP",
		What:  "What came back could not be read as an HTTP response.",
		Why:   "A broken server, or a port speaking another protocol.",
		Fix:   "Check that the URL points at an HTTP server.",
		Ref:   "RFC 9112 §4 (status line)",
	},
	"wait/error": {
		Title: "No response from the server",
		What:  "The request was sent but no usable response came back.",
		Why:   "The message below has the details.",
		Fix:   "Retry; check the server.",
		Ref:   "RFC 9110 §15",
	},
	"receive/truncated": {
		Title: "The download broke off",
		What:  "The response started, but the connection ended before the whole body arrived.",
		Why:   "The server or the network dropped the connection, or the server announced more bytes than it sent.",
		Fix:   "Retry; a repeated break at the same size points at the server.",
		Ref:   "RFC 9112 §8 (incomplete messages)",
	},
	"receive/error": {
		Title: "Reading the response failed",
		What:  "The response started but reading its body failed.",
		Why:   "The message below has the details.",
		Fix:   "Retry.",
		Ref:   "RFC 9112 §6",
	},
	"client/aborted": {
		Title: "The browser stopped the request",
		What:  "The browser closed the connection before the response was complete.",
		Why:   "The user navigated away, the page cancelled the request, or the browser already had what it needed.",
		Fix:   "Usually nothing: browsers cancel requests all the time.",
		Ref:   "RFC 9113 §6.4 (RST_STREAM), RFC 9112 §9.6",
	},
	"dns/bad-response": {
		Title: "The DNS answer could not be used",
		What:  "A DNS server answered, but the answer was malformed, did not match the question, or pointed somewhere glassbox must not follow.",
		Why:   "A broken or misconfigured DNS server, a middlebox rewriting DNS, or, in trace mode, a delegation that leads nowhere.",
		Fix:   "Try another resolver with --dns HOST:PORT; dig +trace shows which server in the chain misbehaves.",
		Ref:   "RFC 1035 §4.1, RFC 1035 §7.3 (processing responses)",
	},
	"dns/network": {
		Title: "The DNS server could not be reached",
		What:  "Sending the question to the DNS server failed at the network level, so no answer came back.",
		Why:   "No network connection, a firewall blocking port 53, or a resolver address in /etc/resolv.conf that does not exist.",
		Fix:   "Check the network connection; name a reachable resolver with --dns HOST:PORT.",
		Ref:   "RFC 1035 §4.2",
	},
	"dns/invalid-name": {
		Title: "The host is not a valid name",
		What:  "The address in the URL is not a name DNS can look up.",
		Why:   "A typo, a character that is not allowed in host names, or a label longer than 63 characters.",
		Fix:   "Check the address in the URL.",
		Ref:   "RFC 1035 §2.3.1, RFC 1123 §2.1",
	},
	"send/timeout": {
		Title: "Sending the request timed out",
		What:  "The connection was open, but the request could not be written to it before the time limit.",
		Why:   "The server stopped reading (it is overloaded or stuck), or the network is very slow for a large upload.",
		Fix:   "Retry; for a large upload, check the network and the server's limits.",
		Ref:   "RFC 9112 §9.5 (timeouts)",
	},
	"receive/timeout": {
		Title: "The download stalled",
		What:  "The response had started, but the rest of the body did not arrive before the time limit.",
		Why:   "A slow or stuck server, a very slow network, or a stream (like server-sent events) that is meant to stay open.",
		Fix:   "Retry; if the response is a stream that never ends, this is expected.",
		Ref:   "RFC 9112 §9.5 (timeouts)",
	},
	"proxy/auth": {
		Title: "glassbox refused the request (proxy authentication)",
		What:  "The request did not carry the credentials the proxy requires.",
		Why:   "The browser was not given the proxy's login, or sent a wrong one.",
		Fix:   "Enter the proxy's credentials when the browser asks for them, or check the ones saved in its proxy settings.",
		Ref:   "RFC 9110 §11.7 (407 Proxy Authentication Required)",
	},
	"proxy/own-address": {
		Title: "glassbox refused to forward the request to itself",
		What:  "The address the request leads to is one of glassbox's own: the port it listens on, or its profiler (--pprof). glassbox never forwards a request there, whatever name or address form leads to it.",
		Why:   "A page tried to reach glassbox through a name that resolves to this machine (DNS rebinding), or an address was typed that happens to be glassbox's. The profiler shows glassbox's memory and command line, --auth password included.",
		Fix:   "Open the setup page at the proxy's own address instead; the profiler is for a browser or tool pointed at it directly, not through the proxy.",
		Ref:   "RFC 9110 §15.5.4 (403 Forbidden)",
	},
	"proxy/private-address": {
		Title: "glassbox refused a public name that leads to a private address",
		What:  "The name looks public, but the DNS answered with a loopback, private or link-local address: this machine, or a device on its network.",
		Why:   "This is how DNS rebinding works: a page on the internet makes its own name resolve to 127.0.0.1 or 192.168.x.x, then reads what answers there (a router's settings, a development server, a profiler) as if it were its own site. Through a proxy the browser cannot see the address, so glassbox checks it.",
		Fix:   "If this is your own server under a name you control, start glassbox with --allow-private, or put the name in the hosts file (--hosts). Names under .localhost, .test, .local, .internal, .home.arpa, single-label names and IP addresses are always allowed.",
		Ref:   "RFC 9110 §15.5.4 (403 Forbidden); RFC 1918 and RFC 6761 (private addresses, special-use names)",
	},
}

// Error explains a recorded failure. It always returns something: unknown
// kinds fall back to the phase's general text.
func Error(e *store.FlowError) Problem {
	if e == nil {
		return Problem{}
	}
	if p, ok := problems[e.Phase+"/"+e.Kind]; ok {
		return p
	}
	if p, ok := problems[e.Phase+"/error"]; ok {
		return p
	}
	if e.Kind == store.FailTimeout {
		return Problem{
			Title: "Timed out while " + Phase(e.Phase),
			What:  "This step did not finish before the time limit.",
			Why:   "A slow or unreachable peer.",
			Fix:   "Retry; check the network and the server.",
		}
	}
	return Problem{
		Title: "Failed while " + Phase(e.Phase),
		What:  "This step failed.",
		Why:   "The message has the details.",
		Fix:   "Retry.",
	}
}

// ErrorKinds lists every phase/kind pair with its own explanation, sorted.
func ErrorKinds() []string {
	out := make([]string, 0, len(problems))
	for k := range problems {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Summary is one line for a log or a list: "dns nxdomain: The name does not exist (NXDOMAIN)".
func Summary(e *store.FlowError) string {
	if e == nil {
		return ""
	}
	return fmt.Sprintf("%s %s: %s", e.Phase, e.Kind, strings.TrimSuffix(Error(e).Title, "."))
}
