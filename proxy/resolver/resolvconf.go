package resolver

import (
	"bufio"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Limits from glibc's resolv.h, so a resolv.conf means here what it means to
// the browser's own resolver: MAXNS nameservers, MAXDNSRCH search domains,
// RES_MAXNDOTS, RES_MAXRETRANS (seconds) and RES_MAXRETRY.
const (
	maxNameservers = 3
	maxSearch      = 6
	maxNdots       = 15
	maxTimeoutSecs = 30
	maxAttempts    = 5
)

// resolvConf is the part of resolv.conf(5) the resolver uses.
type resolvConf struct {
	servers  []string      // host:port, port 53
	search   []string      // fully qualified, lower case
	ndots    int           // default 1
	timeout  time.Duration // 0 when the file does not set it
	attempts int           // 0 when the file does not set it
}

// readResolvConf reads and parses path.
func readResolvConf(path string) (*resolvConf, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseResolvConf(f)
}

// parseResolvConf parses resolv.conf(5) as glibc does where it matters:
// the last "search" or "domain" line wins, unknown lines are ignored, and
// out-of-range options are clamped.
func parseResolvConf(r io.Reader) (*resolvConf, error) {
	rc := &resolvConf{ndots: 1}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(rc.servers) >= maxNameservers {
				continue
			}
			if a, err := netip.ParseAddr(f[1]); err == nil {
				rc.servers = append(rc.servers, net.JoinHostPort(a.String(), "53"))
			}
		case "domain":
			rc.search = []string{fqdn(f[1])}
		case "search":
			rc.search = rc.search[:0:0]
			for _, d := range f[1:] {
				if len(rc.search) < maxSearch {
					rc.search = append(rc.search, fqdn(d))
				}
			}
		case "options":
			for _, o := range f[1:] {
				rc.option(o)
			}
		}
	}
	return rc, sc.Err()
}

func (rc *resolvConf) option(o string) {
	name, val, ok := strings.Cut(o, ":")
	if !ok {
		return
	}
	n, err := strconv.Atoi(val)
	if err != nil || n < 0 {
		return
	}
	switch name {
	case "ndots":
		rc.ndots = min(n, maxNdots)
	case "timeout":
		rc.timeout = time.Duration(max(1, min(n, maxTimeoutSecs))) * time.Second
	case "attempts":
		rc.attempts = max(1, min(n, maxAttempts))
	}
}

// nameList returns the fully qualified names to try for name, in order, as
// glibc's res_search does: a name ending in a dot is only tried as is; a
// name with at least ndots dots is tried as is first, then with each search
// suffix; a name with fewer dots is tried with the suffixes first and as is
// last. name is lower case and has no trailing dot unless absolute.
func (rc *resolvConf) nameList(name string) []string {
	if strings.HasSuffix(name, ".") {
		return []string{name}
	}
	asIs := name + "."
	var search []string
	ndots := 1
	if rc != nil {
		search, ndots = rc.search, rc.ndots
	}
	out := make([]string, 0, len(search)+1)
	enough := strings.Count(name, ".") >= ndots
	if enough {
		out = append(out, asIs)
	}
	for _, s := range search {
		if s == "." {
			continue
		}
		out = append(out, name+"."+s)
	}
	if !enough {
		out = append(out, asIs)
	}
	return out
}

// fqdn lower-cases s and adds the trailing dot.
func fqdn(s string) string {
	s = strings.ToLower(s)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
