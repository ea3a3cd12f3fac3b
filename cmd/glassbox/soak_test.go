package main_test

import (
	"bufio"
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/dialer/dialertest"
)

// soakDuration is how long TestSoak holds its load: a few seconds in
// `make test`, minutes with GLASSBOX_SOAK=5m (`make soak`).
func soakDuration(t *testing.T) time.Duration {
	if v := os.Getenv("GLASSBOX_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("GLASSBOX_SOAK=%q: %v", v, err)
		}
		return d
	}
	return 4 * time.Second
}

// rssKiB reads a process's resident set size.
func rssKiB(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS line in /proc/%d/status", pid)
}

// memSamples are the proxy's RSS during each of the soak's two bursts.
type memSamples struct {
	mu    sync.Mutex
	pid   int
	burst int        // the burst being sampled, 0 or 1
	kib   [2][]int64 // by burst
	err   error      // the first sample that could not be taken
}

// sample reads the RSS once, for the current burst.
func (m *memSamples) sample() {
	kib, err := rssKiB(m.pid)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		m.err = cmp.Or(m.err, err)
		return
	}
	m.kib[m.burst] = append(m.kib[m.burst], kib)
}

// every samples once per interval until done is closed.
func (m *memSamples) every(interval time.Duration, done <-chan struct{}) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			m.sample()
		}
	}
}

// next moves on to the second burst.
func (m *memSamples) next() {
	m.mu.Lock()
	m.burst = 1
	m.mu.Unlock()
}

// check fails t when memory grew from the first burst to the second (it
// must be flat, not growing with the number of requests), and when it
// could not be sampled: a check that did not run must not pass.
func (m *memSamples) check(t *testing.T) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil || len(m.kib[0]) == 0 || len(m.kib[1]) == 0 {
		t.Errorf("the memory check could not run: %d and %d samples (%v)", len(m.kib[0]), len(m.kib[1]), m.err)
		return
	}
	firstMax, lastMax := slices.Max(m.kib[0]), slices.Max(m.kib[1])
	if lastMax > firstMax*3/2+16<<10 {
		t.Errorf("RSS grew from %d KiB to %d KiB", firstMax, lastMax)
	}
	t.Logf("RSS max %d KiB in the first burst, %d KiB in the second", firstMax, lastMax)
}

// goroutines reads the proxy's goroutine count from its --pprof listener.
func goroutines(t *testing.T, pprofAddr string) int {
	resp, err := http.Get("http://" + pprofAddr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "goroutine profile: total")))
	return n
}

// TestSoak holds a steady mixed load (HTTP, HTTPS through MITM, 1 MiB
// bodies, dead upstreams) and checks that memory and goroutines stay flat
// and that every request is recorded: count in = count stored.
func TestSoak(t *testing.T) {
	dur := soakDuration(t)
	targets, originCA := soakOrigins(t)
	pprofLn, _ := net.Listen("tcp", "127.0.0.1:0")
	pprofAddr := pprofLn.Addr().String()
	pprofLn.Close()
	home := t.TempDir()
	p := startProxy(t, home, "--upstream-ca", originCA, "--pprof", pprofAddr, "--max-body", "64KiB")
	caPEM, _ := os.ReadFile(home + "/ca.pem")
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	pu, _ := url.Parse("http://" + p.addr)
	l := &soakLoad{targets: targets, mem: &memSamples{pid: p.cmd.Process.Pid}, client: &http.Client{Timeout: 20 * time.Second,
		Transport: &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: &tls.Config{RootCAs: roots}, MaxIdleConnsPerHost: 16}}}

	done := make(chan struct{})
	go l.mem.every(250*time.Millisecond, done) // sample RSS while the load runs
	base := goroutines(t, pprofAddr)
	l.burst(t, dur/2)
	first := settled(t, pprofAddr)
	l.mem.next()
	l.burst(t, dur/2)
	after := settled(t, pprofAddr)
	close(done)
	// Goroutines: what remains after a burst is glassbox's upstream
	// keep-alive pool (two per idle connection, closed after 90 s idle);
	// a second burst as long as the first must not leave more behind.
	if after > first+6 {
		t.Errorf("goroutines: %d at start, %d after one burst, %d after two: something leaks per request", base, first, after)
	}
	if first > base+2*8*len(targets)+10 {
		t.Errorf("goroutines: %d at start, %d after the load: more than the connection pool explains", base, first)
	}
	// Memory: the second burst no higher than the first plus a margin.
	l.mem.check(t)

	p.stop(t)
	stored := storedFlows(t, home)
	t.Logf("%v: %d requests, %d stored, goroutines %d -> %d -> %d", dur, l.sent.Load(), stored, base, first, after)
	if stored != l.sent.Load() {
		t.Errorf("count in %d != count stored %d", l.sent.Load(), stored)
	}
}

// soakOrigins starts the soak's origins and returns the URLs to ask (a
// small and a 1 MiB body over HTTP, HTTPS, a port where nothing listens)
// and a PEM file of the HTTPS origin's CA.
func soakOrigins(t *testing.T) (targets []string, originCA string) {
	tlsOrigin := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("s", 2048))
	}))
	t.Cleanup(tlsOrigin.Close)
	big := strings.Repeat("B", 1<<20)
	plainOrigin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			io.WriteString(w, big)
			return
		}
		io.WriteString(w, strings.Repeat("p", 1024))
	}))
	t.Cleanup(plainOrigin.Close)
	originCA = t.TempDir() + "/origin.pem"
	writePEM(t, originCA, tlsOrigin.Certificate())
	dead := "http://" + dialertest.Refused(t, "127.0.0.1") + "/dead"
	return []string{plainOrigin.URL + "/small", tlsOrigin.URL + "/tls", plainOrigin.URL + "/big", dead}, originCA
}

// soakLoad is the soak's clients and what they sent.
type soakLoad struct {
	client  *http.Client
	targets []string
	sent    atomic.Int64
	mem     *memSamples
}

// burst runs the mixed load for d from 8 clients.
func (l *soakLoad) burst(t *testing.T, d time.Duration) {
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; time.Now().Before(stop) && i < 1_000_000; i++ {
				target := l.targets[(w+i)%len(l.targets)]
				if strings.HasSuffix(target, "/big") && i%8 != 0 {
					target = l.targets[0] // big bodies, but not all the time
				}
				resp, err := l.client.Get(target)
				if err != nil {
					t.Errorf("%s: %v", target, err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				l.sent.Add(1)
			}
		})
	}
	wg.Wait()
	l.mem.sample() // at least one sample per burst, however short
	l.client.CloseIdleConnections()
}

// settled waits until the proxy's goroutine count stops falling (at most
// 50 looks, 100 ms apart) and returns it.
func settled(t *testing.T, pprofAddr string) int {
	prev := goroutines(t, pprofAddr)
	for range 50 {
		time.Sleep(100 * time.Millisecond)
		n := goroutines(t, pprofAddr)
		if n >= prev {
			return n
		}
		prev = n
	}
	return prev
}
