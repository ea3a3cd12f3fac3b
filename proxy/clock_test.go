package proxy_test

import (
	"io"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
)

// Config.Now is the one clock of a flow and of its connection: every
// timestamp recorded comes from it, none from the wall clock.
func TestOneClock(t *testing.T) {
	base := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	var ticks atomic.Int64
	now := func() time.Time { return base.Add(time.Duration(ticks.Add(1)) * time.Millisecond) }
	origin := httptest.NewTLSServer(echoOrigin())
	defer origin.Close()
	h := newHarness(t, func(c *proxy.Config) {
		c.Now = now
		c.UpstreamRoots = poolOf(origin.Certificate())
	})
	resp, err := h.client(nil).Get(origin.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()
	f := h.rec.waitFlows(t, 1)[0]
	h.rec.mu.Lock()
	c := h.rec.conns[f.ConnID]
	h.rec.mu.Unlock()
	fromClock := func(ts time.Time) bool { return !ts.Before(base) && ts.Before(base.Add(time.Hour)) }
	for name, ts := range map[string]time.Time{
		"flow start": f.Start, "got conn": f.GotConn, "first byte": f.FirstByte, "flow end": f.End,
		"connect start": c.ConnectStart, "connect end": c.ConnectEnd, "tls start": c.TLSStart, "tls end": c.TLSEnd,
	} {
		if !fromClock(ts) {
			t.Errorf("%s %v is not from Config.Now", name, ts)
		}
	}
	if len(c.Attempts) == 0 || !fromClock(c.Attempts[0].Start) || !fromClock(c.Attempts[0].End) {
		t.Errorf("attempts %+v are not from Config.Now", c.Attempts)
	}
	if tm := store.ComputeTimings(&f, &c); tm.Connect < 0 || tm.SSL < 0 {
		t.Errorf("timings %+v: the connection's phases are missing", tm)
	}
}
