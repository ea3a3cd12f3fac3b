package proxy

import (
	"net/netip"
	"testing"

	"github.com/glassbox-dev/glassbox/store"
)

func TestDestinationRule(t *testing.T) {
	d, err := newDestinations([]string{"127.0.0.1:8080", "[::1]:8080", "127.0.0.1:6060"}, false)
	if err != nil {
		t.Fatal(err)
	}
	anyListen, err := newDestinations([]string{"0.0.0.0:9090"}, false)
	if err != nil {
		t.Fatal(err)
	}
	lenient, _ := newDestinations([]string{"127.0.0.1:6060"}, true)
	network := &store.Lookup{Source: "network"}
	hosts := &store.Lookup{Source: "hosts"}
	for _, tc := range []struct {
		name string
		d    *destinations
		host string
		lk   *store.Lookup
		addr string
		want string // the refusal's kind, "" for allowed
	}{
		{"own-listener", d, "127.0.0.1", nil, "127.0.0.1:8080", store.FailOwnAddress},
		{"own-profiler-by-rebinding-name", d, "rebind.attacker.example.com", network, "127.0.0.1:6060", store.FailOwnAddress},
		{"own-profiler-even-when-private-allowed", lenient, "rebind.attacker.example.com", network, "127.0.0.1:6060", store.FailOwnAddress},
		{"own-via-other-loopback", d, "127.0.0.2", nil, "127.0.0.2:6060", store.FailOwnAddress},            // all of 127/8 is this machine
		{"own-via-mapped-v6", d, "::ffff:127.0.0.1", nil, "[::ffff:127.0.0.1]:6060", store.FailOwnAddress}, // the IPv4 address in IPv6 form
		{"own-via-unspecified", d, "0.0.0.0", nil, "0.0.0.0:8080", store.FailOwnAddress},                   // Linux connects 0.0.0.0 to itself
		{"own-via-v6-unspecified", d, "::", nil, "[::]:8080", store.FailOwnAddress},
		{"own-v6-loopback", d, "localhost", hosts, "[::1]:6060", store.FailOwnAddress},
		{"own-any-listener-by-loopback", anyListen, "127.0.0.1", nil, "127.0.0.1:9090", store.FailOwnAddress},
		{"other-port-on-loopback-literal", d, "127.0.0.1", nil, "127.0.0.1:3000", ""}, // a developer's own server
		{"localhost-name", d, "localhost", hosts, "127.0.0.1:3000", ""},
		{"test-domain", d, "shop.test", network, "127.0.0.1:3000", ""},      // RFC 6761: only a local resolver answers it
		{"localhost-domain", d, "app.localhost", network, "[::1]:3000", ""}, // RFC 6761
		{"single-label", d, "intranet", network, "10.1.2.3:80", ""},         // no public host has one label
		{"hosts-file-mapping", d, "myapp.dev", hosts, "127.0.0.1:3000", ""}, // the user wrote it
		{"public-name-to-public-address", d, "www.example.com", network, "93.184.215.14:443", ""},
		{"rebinding-to-loopback", d, "rebind.attacker.example.com", network, "127.0.0.1:3000", store.FailPrivateAddress},
		{"rebinding-to-router", d, "rebind.attacker.example.com", network, "192.168.1.1:80", store.FailPrivateAddress},
		{"rebinding-to-metadata", d, "rebind.attacker.example.com", network, "169.254.169.254:80", store.FailPrivateAddress},
		{"rebinding-to-mapped-loopback", d, "a.example.com", network, "[::ffff:127.0.0.1]:80", store.FailPrivateAddress},
		{"rebinding-to-nat64-private", d, "a.example.com", network, "[64:ff9b::a00:1]:80", store.FailPrivateAddress}, // 10.0.0.1 inside
		{"rebinding-to-cgnat", d, "a.example.com", network, "100.64.0.1:80", store.FailPrivateAddress},
		{"rebinding-to-ula", d, "a.example.com", network, "[fd00::1]:80", store.FailPrivateAddress},
		{"rebinding-to-zero-network", d, "a.example.com", network, "0.1.2.3:80", store.FailPrivateAddress},
		{"private-allowed-by-flag", lenient, "dev.mycompany.com", network, "10.0.0.5:443", ""},
		{"cached-answer-is-network", d, "a.example.com", &store.Lookup{Source: "cache"}, "127.0.0.1:80", store.FailPrivateAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.d.allow(tc.host, tc.lk, netip.MustParseAddrPort(tc.addr))
			switch {
			case tc.want == "" && got != nil:
				t.Errorf("refused: %v", got)
			case tc.want != "" && (got == nil || got.Kind != tc.want):
				t.Errorf("got %v, want a %s refusal", got, tc.want)
			}
		})
	}
}
