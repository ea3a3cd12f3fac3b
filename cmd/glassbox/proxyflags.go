package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/proxy/dialer"
	"github.com/glassbox-dev/glassbox/proxy/resolver"
)

// proxyFlags are the flags of `glassbox` and `glassbox proxy`, as typed.
// config turns them into a proxyConfig, or says which one is wrong.
type proxyFlags struct {
	listen           string
	db               string
	upstreamCA       string
	insecureUpstream bool
	noMITM           multiFlag
	maxBody          sizeFlag
	maxDBSize        sizeFlag
	allowRemote      bool
	allowPrivate     bool
	auth             string
	verbose          bool
	pprof            string
	exportDir        string

	dns          string
	hosts        string
	dnsTrace     bool
	dnsRoot      string
	dnsTracePort string

	connectTimeout  time.Duration
	tlsTimeout      time.Duration
	responseTimeout time.Duration
	clientHandshake time.Duration
	clientIdle      time.Duration

	shape shapeFlags
}

func (pf *proxyFlags) register(fs *flag.FlagSet) {
	pf.maxBody = sizeFlag(proxy.DefaultMaxBody)
	fs.StringVar(&pf.listen, "listen", proxy.DefaultListen, "address to listen on; the default also serves [::1] on the same port")
	fs.StringVar(&pf.db, "db", "", dbUsage)
	fs.StringVar(&pf.upstreamCA, "upstream-ca", "", "PEM file of extra CA certificates to trust for origin servers")
	fs.BoolVar(&pf.insecureUpstream, "insecure-upstream", false, "do not verify origin servers' certificates (test servers only)")
	fs.Var(&pf.noMITM, "no-mitm", "host glob to tunnel without interception, e.g. '*.bank.example' (repeatable)")
	fs.Var(&pf.maxBody, "max-body", "most bytes of each body to store, e.g. 512KiB, 4MiB, 0 for none (bodies are always forwarded whole)")
	fs.Var(&pf.maxDBSize, "max-db-size", "stop storing (but keep forwarding) when the database reaches this size, e.g. 2GiB; 0 for no limit")
	fs.BoolVar(&pf.allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	fs.BoolVar(&pf.allowPrivate, "allow-private", false, "let names that look public lead to loopback and private addresses (your own servers under real names); off, they are refused as DNS rebinding would use them")
	fs.StringVar(&pf.auth, "auth", "", "require proxy credentials USER:PASS (Basic) from clients; use with --allow-remote")
	fs.BoolVar(&pf.verbose, "v", false, "log goproxy's own warnings too")
	fs.StringVar(&pf.pprof, "pprof", "", "serve Go's profiler (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060")
	fs.StringVar(&pf.exportDir, "export-dir", "", exportDirUsage)

	fs.StringVar(&pf.dns, "dns", "", "DNS servers to ask, HOST:PORT[,HOST:PORT...] (default: the nameservers of /etc/resolv.conf)")
	fs.StringVar(&pf.hosts, "hosts", resolver.DefaultHostsFile, "hosts file consulted before DNS; \"none\" to skip it")
	fs.BoolVar(&pf.dnsTrace, "dns-trace", false, "resolve iteratively from the root servers, like dig +trace, recording each hop")
	fs.StringVar(&pf.dnsRoot, "dns-root", "", "root server addresses for --dns-trace, IP[,IP...] (default: the IANA root servers)")
	fs.StringVar(&pf.dnsTracePort, "dns-trace-port", resolver.DefaultTracePort, "port asked on every server in --dns-trace")

	fs.DurationVar(&pf.connectTimeout, "connect-timeout", dialer.DefaultConnectTimeout, "limit for each TCP connection attempt to an origin")
	fs.DurationVar(&pf.tlsTimeout, "tls-timeout", dialer.DefaultTLSTimeout, "limit for the TLS handshake with an origin")
	fs.DurationVar(&pf.responseTimeout, "response-timeout", proxy.DefaultResponseTimeout, "limit for an origin to start answering once the request is sent")
	fs.DurationVar(&pf.clientHandshake, "client-handshake-timeout", proxy.DefaultHandshakeTimeout, "close a browser connection that sends nothing for this long after connecting")
	fs.DurationVar(&pf.clientIdle, "client-idle-timeout", proxy.DefaultIdleTimeout, "close a browser connection with no traffic either way for this long")
	pf.shape.register(fs)
}

// loadProxyConfig parses and checks the flags `glassbox` and `glassbox
// proxy` share. It creates nothing: a refused start leaves no trace.
func loadProxyConfig(name string, args []string, stderr io.Writer) (proxyConfig, error) {
	var pf proxyFlags
	fs := newFlagSet(name, name+" [flags]", stderr)
	pf.register(fs)
	fs.Usage = func() {
		usage(stderr)
		fmt.Fprint(stderr, "\nFlags of glassbox and glassbox proxy:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return proxyConfig{}, err
	}
	return pf.config()
}
