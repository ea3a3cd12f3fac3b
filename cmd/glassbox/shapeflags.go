package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/netshape"
)

// shapeFlags are --latency, --bandwidth and --network: a network to learn
// on, made of loopback (package netshape).
type shapeFlags struct {
	latency   time.Duration
	bandwidth string
	network   string
}

func (sf *shapeFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&sf.latency, "latency", 0, "add this delay to every round trip glassbox makes upstream (DNS query, TCP handshake, TLS flight, request and response), e.g. 100ms")
	fs.StringVar(&sf.bandwidth, "bandwidth", "", "limit each upstream connection to this rate, each way, e.g. 1.5mbit or 200kB (bytes)")
	fs.StringVar(&sf.network, "network", "", "shape upstream traffic like a named network: "+netshape.PresetNames()+" (--latency and --bandwidth change its numbers)")
}

// profile is the shaping asked for; zero when none was.
func (sf *shapeFlags) profile() (netshape.Profile, error) {
	var p netshape.Profile
	if sf.network != "" {
		var err error
		if p, err = netshape.Lookup(sf.network); err != nil {
			return p, fmt.Errorf("--network: %w", err)
		}
	}
	if sf.latency < 0 || sf.latency > netshape.MaxLatency {
		return p, fmt.Errorf("--latency %v: want a delay between 0 and %v, e.g. 100ms", sf.latency, netshape.MaxLatency)
	}
	if sf.latency > 0 {
		p.Latency, p.Name = sf.latency, ""
	}
	if sf.bandwidth != "" {
		bps, err := netshape.ParseRate(sf.bandwidth)
		if err != nil {
			return p, fmt.Errorf("--bandwidth: %w", err)
		}
		p.Down, p.Up, p.Name = bps, bps, ""
	}
	return p, nil
}
