// Package netshape makes loopback behave like a slower network: it adds a
// fixed delay to every round trip glassbox makes upstream and limits the
// bytes per second of each upstream connection, so a learner can feel what
// each step of a page load costs (--latency, --bandwidth, --network).
//
// The model is deliberately simple and says what it does. The whole round
// trip time is paid on the way back: bytes read from an origin are handed
// on Latency after they arrived, so a request and its answer pay one
// Latency, a TCP handshake one (the dial returns Latency late), a TLS 1.3
// handshake one and TLS 1.2 two (each server flight arrives Latency late),
// and a DNS query one (the resolver waits Latency per exchange). Bytes
// keep flowing while earlier ones wait, as on a real link: a long download
// pays the latency once, not per read. Bandwidth is a pace on each
// connection's reads (Down) and writes (Up), not a shared link: two
// connections to an origin get twice the bytes, as two TCP connections on
// an uncongested path would.
package netshape

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Profile is a shaping: zero values shape nothing.
type Profile struct {
	// Name is the preset it came from ("3g"), if any.
	Name string
	// Latency is added to every round trip.
	Latency time.Duration
	// Down and Up are bytes per second on each connection, read and
	// written; 0 is unlimited.
	Down, Up int64
}

// On reports whether p shapes anything.
func (p Profile) On() bool { return p.Latency > 0 || p.Down > 0 || p.Up > 0 }

// String says what p does, for the session record and every view:
// "--network 3g: 300 ms per round trip, 1.6 Mbit/s down, 768 kbit/s up".
func (p Profile) String() string {
	if !p.On() {
		return ""
	}
	var parts []string
	if p.Latency > 0 {
		parts = append(parts, FormatLatency(p.Latency)+" added to every round trip")
	}
	switch {
	case p.Down > 0 && p.Down == p.Up:
		parts = append(parts, FormatRate(p.Down)+" each way per connection")
	default:
		if p.Down > 0 {
			parts = append(parts, FormatRate(p.Down)+" down per connection")
		}
		if p.Up > 0 {
			parts = append(parts, FormatRate(p.Up)+" up per connection")
		}
	}
	s := strings.Join(parts, ", ")
	if p.Name != "" {
		s = "--network " + p.Name + ": " + s
	}
	return s
}

// Preset is a named network. The numbers follow the connection profiles
// web performance tools have long used for testing (round trip, down, up).
type Preset struct {
	Name    string
	About   string
	Profile Profile
}

const kbit = 1000 / 8 // bytes per second in one kbit/s

// Presets are the --network choices, slowest first.
var Presets = []Preset{
	{"2g", "a 2G (EDGE) mobile network", Profile{Latency: 840 * time.Millisecond, Down: 240 * kbit, Up: 240 * kbit}},
	{"slow-3g", "a poor 3G mobile connection", Profile{Latency: 400 * time.Millisecond, Down: 400 * kbit, Up: 400 * kbit}},
	{"3g", "a typical 3G mobile connection", Profile{Latency: 300 * time.Millisecond, Down: 1600 * kbit, Up: 768 * kbit}},
	{"dsl", "home DSL", Profile{Latency: 50 * time.Millisecond, Down: 1500 * kbit, Up: 384 * kbit}},
	{"4g", "a typical 4G mobile connection", Profile{Latency: 170 * time.Millisecond, Down: 9000 * kbit, Up: 9000 * kbit}},
	{"cable", "home cable", Profile{Latency: 28 * time.Millisecond, Down: 5000 * kbit, Up: 1000 * kbit}},
	{"lte", "a good LTE mobile connection", Profile{Latency: 70 * time.Millisecond, Down: 12000 * kbit, Up: 12000 * kbit}},
}

// PresetNames lists the presets' names, for errors and --help.
func PresetNames() string {
	names := make([]string, len(Presets))
	for i, p := range Presets {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// Lookup returns the preset called name.
func Lookup(name string) (Profile, error) {
	i := slices.IndexFunc(Presets, func(p Preset) bool { return p.Name == strings.ToLower(name) })
	if i < 0 {
		return Profile{}, fmt.Errorf("unknown network %q: want one of %s", name, PresetNames())
	}
	p := Presets[i].Profile
	p.Name = Presets[i].Name
	return p, nil
}

// MaxLatency bounds --latency: past it every request would meet a timeout.
const MaxLatency = 10 * time.Second

// MinRate is the slowest --bandwidth taken (8 kbit/s, 1 KB/s).
const MinRate = 1000

// ParseRate reads a bandwidth: a number and a unit, in bits per second
// ("1.5mbit", "768kbit", "10mbps") or bytes per second with a capital B
// ("200kB", "2MB", "1MiB"); "/s" may follow. It returns bytes per second.
func ParseRate(s string) (int64, error) {
	in := strings.TrimSuffix(strings.TrimSpace(s), "/s")
	i := strings.IndexFunc(in, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0, fmt.Errorf("bandwidth %q: want a number and a unit, e.g. 1.5mbit or 200kB", s)
	}
	v, err := strconv.ParseFloat(in[:i], 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bandwidth %q: want a positive number and a unit, e.g. 1.5mbit or 200kB", s)
	}
	unit := strings.TrimSpace(in[i:])
	bytesPer := map[string]float64{"B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
	bitsPer := map[string]float64{"bit": 1, "kbit": 1e3, "mbit": 1e6, "gbit": 1e9, "bps": 1, "kbps": 1e3, "mbps": 1e6, "gbps": 1e9}
	var m float64
	if b, ok := bytesPer[unit]; ok {
		m = b
	} else if b, ok := bitsPer[strings.ToLower(unit)]; ok {
		m = b / 8
	} else {
		return 0, fmt.Errorf("bandwidth %q: unknown unit %q; use kbit, mbit, gbit (bits per second) or kB, MB, GB (bytes)", s, unit)
	}
	bps := int64(v * m)
	if bps < MinRate {
		return 0, fmt.Errorf("bandwidth %q is below the slowest glassbox shapes (8kbit, 1kB per second)", s)
	}
	return bps, nil
}

// FormatRate writes bytes per second as bits, as networks are sold.
func FormatRate(bps int64) string {
	bits := float64(bps) * 8
	switch {
	case bits >= 1e9:
		return trimFloat(bits/1e9) + " Gbit/s"
	case bits >= 1e6:
		return trimFloat(bits/1e6) + " Mbit/s"
	default:
		return trimFloat(bits/1e3) + " kbit/s"
	}
}

// FormatLatency writes a latency in milliseconds.
func FormatLatency(d time.Duration) string {
	return trimFloat(float64(d)/float64(time.Millisecond)) + " ms"
}

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Dial wraps a dial function: the connection comes back one round trip
// late (the TCP handshake), shaped.
func (p Profile) Dial(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if !p.On() {
		return dial
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if err := Sleep(ctx, p.Latency); err != nil {
			c.Close()
			return nil, err
		}
		return Wrap(c, p), nil
	}
}

// Sleep waits d, or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
