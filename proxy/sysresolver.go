package proxy

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/dialer"
	"github.com/glassbox-dev/glassbox/store"
)

// systemResolver asks the operating system when no resolver is configured
// (tests that dial IP literals, embedders). glassbox itself always passes
// its own proxy/resolver, which records far more.
type systemResolver struct {
	now func() time.Time // the proxy's clock
}

var _ dialer.Resolver = systemResolver{}

func (r systemResolver) Lookup(ctx context.Context, host string) ([]netip.Addr, *store.Lookup, error) {
	lk := &store.Lookup{Name: host, Source: "system", Start: r.now()}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	lk.End = r.now()
	if err != nil {
		lk.Error = err.Error()
		return nil, lk, err
	}
	for _, a := range addrs {
		typ := "A"
		if a.Is6() && !a.Is4In6() {
			typ = "AAAA"
		}
		lk.Answers = append(lk.Answers, store.DNSAnswer{Type: typ, Addr: a.Unmap().String()})
	}
	return addrs, lk, nil
}
