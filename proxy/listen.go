package proxy

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// DefaultListen is where glassbox listens unless --listen says otherwise.
// "localhost:8080" in a browser's settings may resolve to either family, so
// the default serves both 127.0.0.1:8080 and [::1]:8080 (DESIGN.md).
const DefaultListen = "127.0.0.1:8080"

// ListenAddrs expands a --listen value: the default (or "localhost:PORT")
// becomes the IPv4 and IPv6 loopback addresses on that port.
func ListenAddrs(listen string) ([]string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("--listen %q: want HOST:PORT, e.g. 127.0.0.1:8080", listen)
	}
	if host == "127.0.0.1" && listen == DefaultListen || strings.EqualFold(host, "localhost") {
		return []string{net.JoinHostPort("127.0.0.1", port), net.JoinHostPort("::1", port)}, nil
	}
	return []string{listen}, nil
}

// CheckRemote refuses a non-loopback listen address unless allowRemote: a
// proxy open to the network lets anyone browse as this machine and read
// what it intercepts.
func CheckRemote(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if isLoopbackHost(host) || allowRemote {
		return nil
	}
	return fmt.Errorf("refusing to listen on %s: that address is reachable from other machines, "+
		"which would let anyone on the network use this proxy and read what it records. "+
		"Use a loopback address (127.0.0.1 or ::1), or pass --allow-remote if you really mean it", addr)
}

// Listen opens the listeners for addrs. The first address must succeed;
// later ones (the IPv6 twin of the default) are skipped when the family is
// not available on this machine.
func Listen(addrs []string) ([]net.Listener, error) {
	var out []net.Listener
	for i, a := range addrs {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			if i > 0 && !errors.Is(err, syscall.EADDRINUSE) {
				continue // e.g. no IPv6 loopback here
			}
			for _, l := range out {
				l.Close()
			}
			if errors.Is(err, syscall.EADDRINUSE) {
				return nil, fmt.Errorf("cannot listen on %s: the port is already in use (another glassbox, or another proxy?). "+
					"Stop it, or choose another port with --listen 127.0.0.1:PORT", a)
			}
			return nil, fmt.Errorf("cannot listen on %s: %w", a, err)
		}
		out = append(out, ln)
	}
	return out, nil
}

// The proxy's servers' timeouts, the listener's and those serving
// intercepted connections alike: how long a client may take to send a
// request head, and may keep a connection idle between requests.
const (
	readHeaderTimeout = 30 * time.Second
	idleTimeout       = 2 * time.Minute
)

// NewServer returns the http.Server to serve the proxy on, through an
// Intake (intake.go), which serves the commonest requests itself. Its timeouts
// bound how long a client may take to send a request head; connections
// hijacked for CONNECT are not covered by them (http.Server forgets a
// connection once it is hijacked): Guard covers those. Served on a
// WireListener, it records each request's head as the browser sent it
// (ConnContext).
func NewServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ConnContext:       ConnContext,
		ErrorLog:          nil,
	}
}
