package resolver_test

import (
	"context"
	"testing"

	"github.com/glassbox-dev/glassbox/proxy/resolver"
	"github.com/glassbox-dev/glassbox/proxy/resolver/resolvertest"
)

// BenchmarkLookupCacheHit is the cost of a lookup answered from the cache
// (A and AAAA both cached), which is what most of a page's lookups are;
// with a hosts file, each lookup also checks the file for changes.
func BenchmarkLookupCacheHit(b *testing.B) {
	for _, bc := range []struct{ name, hosts string }{
		{"no-hosts-file", ""},
		{"with-hosts-file", writeFile(b, "hosts", "127.0.0.1 localhost\n::1 localhost\n")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := newResolver(b, resolver.Config{HostsFile: bc.hosts}, resolvertest.ServeUDP(b, testZone()))
			ctx := context.Background()
			if _, _, err := r.Lookup(ctx, "shop.test"); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, lk, err := r.Lookup(ctx, "shop.test"); err != nil || lk.Source != resolver.SourceCache {
					b.Fatal(lk, err)
				}
			}
		})
	}
}

// BenchmarkLookupMiss is a lookup that goes to a loopback server every
// time (the answer's TTL is 0): two UDP exchanges in parallel.
func BenchmarkLookupMiss(b *testing.B) {
	r := newResolver(b, resolver.Config{}, resolvertest.ServeUDP(b, testZone()))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, lk, err := r.Lookup(ctx, "nocache.test"); err != nil || lk.Source != resolver.SourceNetwork {
			b.Fatal(lk, err)
		}
	}
}
