package main

import (
	"fmt"
	"net"
	"strings"
	"time"
	"unicode"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/proxy/netshape"
	"github.com/glassbox-dev/glassbox/proxy/resolver"
)

// proxyConfig is what `glassbox` and `glassbox proxy` were asked to do,
// checked: plain values, each usable as it is. Making one creates nothing
// (no file, no socket, no session); startProxy makes what it describes.
type proxyConfig struct {
	listen       []string // the addresses to listen on: --listen, expanded (proxy.ListenAddrs)
	allowRemote  bool     // listen holds a non-loopback address, as --allow-remote allowed
	allowPrivate bool     // public-looking names may lead to loopback and private addresses (--allow-private)
	auth         string   // USER:PASS clients must send, or "" for none
	dbPath       string   // --db, or the default database
	maxDBSize    int64    // bytes; 0 for no limit
	pprof        string   // a loopback HOST:PORT for net/http/pprof, or "" for none
	verbose      bool     // log goproxy's own warnings
	exportDir    string   // where the live inspector's exports go (--export-dir, absolute)

	upstreamCA       string   // a PEM file of extra CAs for origins, or ""
	insecureUpstream bool     // do not verify origins' certificates
	noMITM           []string // host globs tunnelled untouched
	maxBody          int64    // proxy.Config.MaxBody: bytes of each body to store, -1 for none

	resolver resolver.Config  // servers, hosts file, trace mode, added latency
	shape    netshape.Profile // --latency, --bandwidth, --network: zero for none

	connectTimeout, tlsTimeout, responseTimeout time.Duration // to origins; 0 takes the default
	clientHandshake, clientIdle                 time.Duration // for browsers' connections; 0 takes the default

	// attach, when not 0, records into that existing session instead of a
	// new one, numbering after what it holds (glassbox resend).
	attach int64
}

// config checks every flag and returns the configuration they describe,
// or an error that names the flag and says what to write instead.
func (pf *proxyFlags) config() (proxyConfig, error) {
	cfg := proxyConfig{
		allowRemote: pf.allowRemote, allowPrivate: pf.allowPrivate, auth: pf.auth, maxDBSize: int64(pf.maxDBSize), pprof: pf.pprof,
		verbose: pf.verbose, upstreamCA: pf.upstreamCA, insecureUpstream: pf.insecureUpstream,
		noMITM: pf.noMITM, maxBody: int64(pf.maxBody), resolver: pf.resolverConfig(),
		connectTimeout: pf.connectTimeout, tlsTimeout: pf.tlsTimeout, responseTimeout: pf.responseTimeout,
		clientHandshake: pf.clientHandshake, clientIdle: pf.clientIdle,
	}
	if cfg.maxBody == 0 {
		cfg.maxBody = -1 // --max-body 0: store no bodies
	}
	var err error
	if cfg.listen, err = listenAddrs(pf.listen, pf.allowRemote); err != nil {
		return cfg, err
	}
	if pf.auth != "" && !strings.Contains(pf.auth, ":") {
		return cfg, fmt.Errorf("--auth %q: want USER:PASS", pf.auth)
	}
	if cfg.exportDir, err = exportDirOrDefault(pf.exportDir); err != nil {
		return cfg, fmt.Errorf("--export-dir: %w", err)
	}
	if pf.pprof != "" {
		if err := checkPprof(pf.pprof); err != nil {
			return cfg, err
		}
	}
	if err := pf.checkDurations(); err != nil {
		return cfg, err
	}
	if cfg.shape, err = pf.shape.profile(); err != nil {
		return cfg, err
	}
	cfg.resolver.Latency = cfg.shape.Latency
	cfg.dbPath, err = dbPathOrDefault(pf.db)
	return cfg, err
}

// listenAddrs expands --listen and refuses a non-loopback address unless
// --allow-remote.
func listenAddrs(listen string, allowRemote bool) ([]string, error) {
	addrs, err := proxy.ListenAddrs(listen)
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if err := proxy.CheckRemote(a, allowRemote); err != nil {
			return nil, err
		}
	}
	return addrs, nil
}

// checkPprof refuses a profiler address other machines could reach: the
// profiler shows the proxy's memory, which holds what it intercepts, and
// no flag allows that (--allow-remote is for the proxy's own address).
func checkPprof(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--pprof %q: want HOST:PORT on loopback, e.g. 127.0.0.1:6060", addr)
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	if strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--pprof %s: the profiler serves only on loopback, because it shows the proxy's memory "+
		"and so what the proxy intercepts; use a loopback address such as 127.0.0.1:6060 or [::1]:6060 "+
		"(--allow-remote does not apply to it)", addr)
}

// checkDurations refuses a negative time limit (0 takes the default).
func (pf *proxyFlags) checkDurations() error {
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{
		{"--connect-timeout", pf.connectTimeout}, {"--tls-timeout", pf.tlsTimeout},
		{"--response-timeout", pf.responseTimeout}, {"--client-handshake-timeout", pf.clientHandshake},
		{"--client-idle-timeout", pf.clientIdle},
	} {
		if d.v < 0 {
			return fmt.Errorf("%s %v: want a positive duration such as 10s or 2m", d.flag, d.v)
		}
	}
	return nil
}

// resolverConfig is the resolver's configuration from the DNS flags: a
// server without a port is asked on 53.
func (pf *proxyFlags) resolverConfig() resolver.Config {
	cfg := resolver.Config{HostsFile: pf.hosts, Trace: pf.dnsTrace, TracePort: pf.dnsTracePort}
	for _, s := range splitList(pf.dns) {
		if _, _, err := net.SplitHostPort(s); err != nil {
			s = net.JoinHostPort(s, "53")
		}
		cfg.Servers = append(cfg.Servers, s)
	}
	cfg.RootHints = splitList(pf.dnsRoot)
	return cfg
}

// splitList splits a flag's list of values, separated by commas, spaces
// or both.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}
