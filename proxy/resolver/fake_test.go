package resolver_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/resolver"
)

// Every test server listens on loopback (resolvertest), and every resolver
// under test is given its servers, a resolv.conf and a hosts file
// explicitly: no test may ever send a query to the machine's own DNS
// servers.

// writeFile writes content to a new file in a test directory.
func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// newResolver builds a resolver that can only reach servers: no hosts file,
// no resolv.conf unless cfg names one.
func newResolver(tb testing.TB, cfg resolver.Config, servers ...string) *resolver.Resolver {
	tb.Helper()
	cfg.Servers = servers
	if cfg.ResolvConf == "" {
		cfg.ResolvConf = resolver.None
	}
	if cfg.HostsFile == "" {
		cfg.HostsFile = resolver.None
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = time.Second
	}
	r, err := resolver.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}
