package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// scenario is one load shape. Every scenario but Once runs for the
// configured duration after a warm-up on the same connections.
type scenario struct {
	Name    string
	Desc    string
	HTTPS   bool   // through MITM when there is a proxy
	Path    string // origin endpoint
	Size    int64  // expected body size
	Conns   int    // concurrent clients, one connection each
	NewConn bool   // a new connection (CONNECT + TLS) for every request
	Once    bool   // a single request, no warm-up (the 200 MiB download)
	Client  string // "" for the in-process client, heyClient for hey (hey.go)
}

const (
	sizeTiny  = 67 // a small image, as issue 20's measurement with hey used
	sizeSmall = 1 << 10
	sizeLarge = 1 << 20
	sizeHuge  = 200 << 20
)

// scenarios are the loads of issue 7, in the order they run and print.
var scenarios = []scenario{
	{Name: "http-1", Desc: "HTTP keep-alive, 1 KiB, 1 connection", Path: "/1k", Size: sizeSmall, Conns: 1},
	{Name: "http-32", Desc: "HTTP keep-alive, 1 KiB, 32 connections", Path: "/1k", Size: sizeSmall, Conns: 32},
	{Name: "https-32", Desc: "HTTPS through MITM, keep-alive, 1 KiB, 32 connections", HTTPS: true, Path: "/1k", Size: sizeSmall, Conns: 32},
	{Name: "https-newconn", Desc: "HTTPS through MITM, new connection per request (CONNECT + TLS), 1 KiB, 8 concurrent", HTTPS: true, Path: "/1k", Size: sizeSmall, Conns: 8, NewConn: true},
	{Name: "http-16-hey", Desc: "HTTP keep-alive, 67 bytes, 16 connections, hey as the client (a process of its own; hey.go)", Path: "/67b", Size: sizeTiny, Conns: 16, Client: heyClient},
	{Name: "https-16-hey", Desc: "HTTPS through MITM, keep-alive, 67 bytes, 16 connections, hey as the client", HTTPS: true, Path: "/67b", Size: sizeTiny, Conns: 16, Client: heyClient},
	{Name: "large-4", Desc: "HTTP keep-alive, 1 MiB bodies, 4 connections", Path: "/1m", Size: sizeLarge, Conns: 4},
	{Name: "download-200m", Desc: "HTTPS through MITM, one 200 MiB download (peak memory)", HTTPS: true, Path: "/200m", Size: sizeHuge, Conns: 1, Once: true},
}

func scenarioByName(name string) (scenario, bool) {
	for _, s := range scenarios {
		if s.Name == name {
			return s, true
		}
	}
	return scenario{}, false
}

const (
	// maxRequestsPerWorker bounds each worker's loop in count; the phase's
	// deadline bounds it in time. Loopback tops out near 10^4 requests/s,
	// so the count is never the limit in practice.
	maxRequestsPerWorker = 5_000_000
	// smallTimeout and hugeTimeout bound one request. Requests are never
	// cancelled at the end of a phase (a cancelled request would be a flow
	// the load generator did not count), only by these.
	smallTimeout = 30 * time.Second
	hugeTimeout  = 5 * time.Minute
)

// target is where the load goes: directly to the origin (Proxy nil) or
// through a proxy process.
type target struct {
	Name  string
	Proxy *url.URL       // nil: no proxy
	Roots *x509.CertPool // what the client trusts for HTTPS
	PID   int            // the proxy process; 0 for none
}

// phaseResult is what one phase (warm-up or measurement) of one scenario
// did against one target.
type phaseResult struct {
	OK       int64 // requests that completed with a full 200 body
	Errors   int64
	FirstErr string
	Bytes    int64
	Elapsed  time.Duration
	Lat      []time.Duration // of OK requests, sorted
}

type worker struct {
	client *http.Client
	tr     *http.Transport
	res    phaseResult
}

func newWorker(sc scenario, t target) *worker {
	tr := &http.Transport{
		Proxy:           nil, // never the environment's proxy
		TLSClientConfig: &tls.Config{RootCAs: t.Roots},
		DialContext:     (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		// One connection per worker: "32 connections" means 32 workers.
		MaxConnsPerHost:     1,
		MaxIdleConns:        1,
		MaxIdleConnsPerHost: 1,
		DisableKeepAlives:   sc.NewConn,
		DisableCompression:  true,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	if t.Proxy != nil {
		tr.Proxy = http.ProxyURL(t.Proxy)
	}
	timeout := smallTimeout
	if sc.Size >= sizeHuge {
		timeout = hugeTimeout
	}
	return &worker{tr: tr, client: &http.Client{Transport: tr, Timeout: timeout}}
}

// do sends one request and reads the whole body.
func (w *worker) do(ctx context.Context, u string, want int64) {
	start := time.Now()
	n, err := w.get(ctx, u, want)
	w.res.Bytes += n
	if err != nil {
		w.res.Errors++
		if w.res.FirstErr == "" {
			w.res.FirstErr = err.Error()
		}
		return
	}
	w.res.OK++
	w.res.Lat = append(w.res.Lat, time.Since(start))
}

func (w *worker) get(ctx context.Context, u string, want int64) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	switch {
	case err != nil:
		return n, err
	case resp.StatusCode != http.StatusOK:
		return n, fmt.Errorf("status %s", resp.Status)
	case n != want:
		return n, fmt.Errorf("body %d bytes, want %d", n, want)
	}
	return n, nil
}

// runPhase runs every worker until the deadline (or one request when once)
// and merges their results. A request started before the deadline always
// finishes, so every request sent is counted.
func runPhase(ctx context.Context, workers []*worker, u string, want int64, d time.Duration, once bool) phaseResult {
	start := time.Now()
	deadline := start.Add(d)
	for _, w := range workers {
		w.res = phaseResult{}
	}
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < maxRequestsPerWorker; i++ {
				if ctx.Err() != nil || (once && i > 0) || (!once && !time.Now().Before(deadline)) {
					return
				}
				w.do(ctx, u, want)
			}
		}()
		if once {
			break
		}
	}
	wg.Wait()
	out := phaseResult{Elapsed: time.Since(start)}
	for _, w := range workers {
		out.OK += w.res.OK
		out.Errors += w.res.Errors
		out.Bytes += w.res.Bytes
		out.Lat = append(out.Lat, w.res.Lat...)
		if out.FirstErr == "" {
			out.FirstErr = w.res.FirstErr
		}
		w.res.Lat = nil
	}
	slices.Sort(out.Lat)
	return out
}

// percentile of sorted latencies (nearest rank); 0 when there are none.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// cell is one measurement: one scenario, one target, one round.
type cell struct {
	Scenario, Target string
	Round            int
	Sent             int64 // requests that completed, warm-up included
	Errors           int64 // failed requests, warm-up included
	FirstErr         string
	Measured         int64 // completed requests in the measured phase
	RPS              float64
	P50, P99         time.Duration
	MiBps            float64
	PeakRSSKiB       int64   // -1 without a proxy process
	CPUPerReq        float64 // microseconds; -1 without a proxy process
	// For glassbox: flows stored (-1 otherwise), how long after the
	// measured phase the last one was stored, and what went wrong.
	Stored int64
	Shed   int64 // flows stored without their response body's copy
	// StoredBytes is the response-body bytes glassbox kept (-1 unknown).
	StoredBytes int64
	StoreLag    time.Duration
	StoreErr    string
	// OriginConns is how many connections the origin accepted during the
	// cell, warm-up included.
	OriginConns int64
	// ProfileErr says why the CPU profile of the phase was not saved.
	ProfileErr string
}

// cellRun is what runCell needs.
type cellRun struct {
	sc        scenario
	t         target
	originURL string
	warmup, d time.Duration
	round     int
	settle    func(ctx context.Context, sent int64) (time.Duration, error) // waits until the proxy stored sent flows; nil if it stores nothing
	profile   func(d time.Duration) (wait func() error)                    // profiles the measured phase; nil for none
	hey       string                                                       // hey's path, for scenarios it drives
	together  *barrier                                                     // the cells measured at the same time (-pair); nil alone
}

// runCell measures one scenario against one target: reset the proxy's
// peak RSS, warm up, let it settle, read its CPU time, measure, let it
// settle, read CPU time and peak RSS. Settling (for glassbox: waiting until
// its database holds every request so far) makes storing part of the
// measured CPU time without letting the warm-up's backlog leak into it.
func runCell(ctx context.Context, r cellRun) cell {
	sc, t := r.sc, r.t
	workers := make([]*worker, sc.Conns)
	for i := range workers {
		workers[i] = newWorker(sc, t)
	}
	defer func() {
		for _, w := range workers {
			w.tr.CloseIdleConnections()
		}
	}()
	c := cell{Scenario: sc.Name, Target: t.Name, Round: r.round, PeakRSSKiB: -1, CPUPerReq: -1, Stored: -1, StoredBytes: -1}
	u := r.originURL + sc.Path
	phase := func(d time.Duration, once bool) phaseResult {
		if sc.Client == heyClient {
			return runHey(ctx, r.hey, sc, t, u, d)
		}
		return runPhase(ctx, workers, u, sc.Size, d, once)
	}
	if t.PID > 0 {
		_ = resetPeakRSS(t.PID) // an unreadable value shows as -1 below
	}
	r.together.meet() // warm up together
	if !sc.Once && r.warmup > 0 {
		w := phase(r.warmup, false)
		c.Sent += w.OK
		c.Errors += w.Errors
		c.FirstErr = w.FirstErr
	}
	if r.settle != nil {
		if _, err := r.settle(ctx, c.Sent); err != nil {
			c.StoreErr = "after the warm-up: " + err.Error()
		}
	}
	var waitProfile func() error
	if r.profile != nil && !sc.Once {
		waitProfile = r.profile(r.d)
	}
	r.together.meet() // each settled: measure together
	cpu0, cpuErr0 := cpuTicks(t.PID)
	m := phase(r.d, sc.Once)
	c.Sent += m.OK
	c.Errors += m.Errors
	if r.settle != nil {
		lag, err := r.settle(ctx, c.Sent)
		c.StoreLag = lag
		if err != nil && c.StoreErr == "" {
			c.StoreErr = err.Error()
		}
	}
	cpu1, cpuErr1 := cpuTicks(t.PID)
	if waitProfile != nil {
		if err := waitProfile(); err != nil {
			c.ProfileErr = err.Error()
		}
	}
	if c.FirstErr == "" {
		c.FirstErr = m.FirstErr
	}
	c.record(m, t.PID, cpu0, cpu1, cpuErr0 == nil && cpuErr1 == nil)
	return c
}

// record fills in what the measured phase gave: rates, percentiles, and
// from the proxy's process its peak memory and CPU time per request.
func (c *cell) record(m phaseResult, pid int, cpu0, cpu1 int64, cpuOK bool) {
	c.Measured = m.OK
	secs := m.Elapsed.Seconds()
	c.RPS = float64(m.OK) / secs
	c.MiBps = float64(m.Bytes) / (1 << 20) / secs
	c.P50, c.P99 = percentile(m.Lat, 0.50), percentile(m.Lat, 0.99)
	if pid <= 0 {
		return
	}
	if kib, err := peakRSSKiB(pid); err == nil {
		c.PeakRSSKiB = kib
	}
	if cpuOK && m.OK > 0 {
		c.CPUPerReq = float64(cpu1-cpu0) * tickMicros / float64(m.OK)
	}
}
