package netshape

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	good := map[string]int64{
		"1.5mbit": 187500, "768kbit": 96000, "10Mbps": 1250000, "200kB": 200000, "2MB": 2000000,
		"1MiB": 1 << 20, "8kbit": 1000, "1gbit/s": 125000000,
	}
	for in, want := range good {
		if got, err := ParseRate(in); err != nil || got != want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "fast", "1.5", "-1mbit", "0kbit", "1mbitz", "7kbit", "abc kbit"} {
		if got, err := ParseRate(in); err == nil {
			t.Errorf("ParseRate(%q) = %d, want an error", in, got)
		}
	}
}

func TestPresetsAndWords(t *testing.T) {
	p, err := Lookup("3G")
	if err != nil || p.Name != "3g" || p.Latency != 300*time.Millisecond {
		t.Fatalf("Lookup(3G) = %+v, %v", p, err)
	}
	if got, want := p.String(), "--network 3g: 300 ms added to every round trip, 1.6 Mbit/s down per connection, 768 kbit/s up per connection"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if _, err := Lookup("5g"); err == nil || !strings.Contains(err.Error(), "slow-3g") {
		t.Errorf("Lookup(5g): %v, want the list of presets", err)
	}
	if s := (Profile{Latency: 50 * time.Millisecond, Down: 125000, Up: 125000}).String(); s != "50 ms added to every round trip, 1 Mbit/s each way per connection" {
		t.Errorf("String() = %q", s)
	}
	if (Profile{}).On() || (Profile{}).String() != "" {
		t.Error("the zero profile shapes something")
	}
}

// echo serves one connection on loopback that answers every read with
// what it read.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func dial(t *testing.T, p Profile) (*Conn, time.Duration) {
	t.Helper()
	start := time.Now()
	c, err := p.Dial((&net.Dialer{}).DialContext)(context.Background(), "tcp", echo(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*Conn), time.Since(start)
}

// roundTrips is how many latencies d holds, to the nearest.
func roundTrips(d, latency time.Duration) int {
	return int((d + latency/2) / latency)
}

// The handshake and each exchange pay one round trip; bytes that are
// already on their way pay it once, not per read.
func TestLatencyPerRoundTrip(t *testing.T) {
	const lat = 200 * time.Millisecond
	c, took := dial(t, Profile{Latency: lat})
	if took < lat {
		t.Errorf("the TCP handshake took %v, less than the added %v", took, lat)
	}
	for i := range 3 {
		start := time.Now()
		if _, err := c.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < lat || roundTrips(d, lat) != 1 {
			t.Errorf("exchange %d took %v: %d round trips of %v, want 1", i, d, roundTrips(d, lat), lat)
		}
	}
	// 64 KiB written at once comes back in many reads, one latency in all.
	big := make([]byte, 64<<10)
	start := time.Now()
	go c.Write(big)
	if _, err := io.ReadFull(c, make([]byte, len(big))); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); roundTrips(d, lat) != 1 {
		t.Errorf("64 KiB echoed in %v: %d round trips of %v, want 1", d, roundTrips(d, lat), lat)
	}
}

// Down paces reads and Up writes: 40 kB at 100 kB/s cannot take less than
// the time the rate allows for all but the first piece.
func TestBandwidth(t *testing.T) {
	const rate = 100_000
	c, _ := dial(t, Profile{Down: rate, Up: rate})
	data := make([]byte, 40_000)
	start := time.Now()
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
	wrote := time.Since(start)
	if min := time.Duration(float64(len(data)-rate/20) / rate * float64(time.Second)); wrote < min {
		t.Errorf("40 kB written in %v at %d B/s; the pace allows no less than %v", wrote, rate, min)
	}
	start = time.Now()
	if _, err := io.ReadFull(c, make([]byte, len(data))); err != nil {
		t.Fatal(err)
	}
	if min := time.Duration(float64(len(data)-rate/20) / rate * float64(time.Second)); time.Since(start) < min {
		t.Errorf("40 kB read in %v at %d B/s", time.Since(start), rate)
	}
}

// A deadline in the past interrupts a Read that waits (http.Transport and
// TLS do this), and Close ends one.
func TestDeadlineAndClose(t *testing.T) {
	c, _ := dial(t, Profile{Latency: 10 * time.Millisecond})
	errc := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 10))
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	c.SetReadDeadline(time.Now().Add(-time.Second))
	select {
	case err := <-errc:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Read after a past deadline: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a past deadline did not interrupt the Read")
	}
	c.SetReadDeadline(time.Time{})
	go func() {
		_, err := c.Read(make([]byte, 10))
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Read after Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the Read")
	}
}
