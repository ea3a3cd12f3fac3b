package main_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// load sends requests through the proxy from n goroutines until stop is
// closed (or max requests), recording when each one completed.
func load(t *testing.T, proxyAddr, target string, n, max int, stop <-chan struct{}) (done func() []time.Time) {
	t.Helper()
	pu, _ := url.Parse("http://" + proxyAddr)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(pu), MaxIdleConnsPerHost: n}}
	var mu sync.Mutex
	var times []time.Time
	var sent atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sent.Add(1) <= int64(max) {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(target)
				if err != nil {
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					mu.Lock()
					times = append(times, time.Now())
					mu.Unlock()
				}
			}
		}()
	}
	return func() []time.Time {
		wg.Wait()
		client.CloseIdleConnections()
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Time(nil), times...)
	}
}

func storedFlows(t *testing.T, home string) int64 {
	t.Helper()
	db, err := sqlite.OpenReadOnly(filepath.Join(home, "glassbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if res, err := db.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
	s, err := db.Session(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	return s.Flows
}

func okOrigin(t *testing.T) *httptest.Server {
	o := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("body ", 400))
	}))
	t.Cleanup(o.Close)
	return o
}

// SIGTERM under load: the writer drains, every answered request is stored.
func TestSIGTERMDrains(t *testing.T) {
	o := okOrigin(t)
	home := t.TempDir()
	p := startProxy(t, home)
	stop := make(chan struct{})
	done := load(t, p.addr, o.URL+"/x", 8, 1500, stop)
	times := done()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	if got := storedFlows(t, home); got != int64(len(times)) {
		t.Errorf("stored %d flows for %d answered requests", got, len(times))
	}
}

// kill -9 during load: the database opens and passes integrity_check, and
// at most the last batch window is lost.
func TestKill9LosesAtMostTheLastBatch(t *testing.T) {
	o := okOrigin(t)
	home := t.TempDir()
	p := startProxy(t, home)
	stop := make(chan struct{})
	done := load(t, p.addr, o.URL+"/x", 8, 1<<30, stop)
	time.Sleep(1500 * time.Millisecond) // load for a while (the point is to be mid-load)
	p.cmd.Process.Signal(syscall.SIGKILL)
	killedAt := time.Now()
	close(stop)
	times := done()
	<-p.done
	// The writer commits about every 50 ms; anything answered more than a
	// generous window before the kill must be on disk.
	window := 250 * time.Millisecond
	safe := 0
	for _, tm := range times {
		if tm.Before(killedAt.Add(-window)) {
			safe++
		}
	}
	got := storedFlows(t, home)
	if got < int64(safe) {
		t.Errorf("stored %d flows, but %d requests were answered more than %v before kill -9", got, safe, window)
	}
	t.Logf("answered %d, answered %v before the kill %d, stored %d", len(times), window, safe, got)
}

// A full database: glassbox says so loudly, keeps forwarding, and counts
// what it could not store.
func TestFullDatabaseKeepsForwarding(t *testing.T) {
	o := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("0123456789", 2000))
	}))
	defer o.Close()
	home := t.TempDir()
	p := startProxy(t, home, "--max-db-size", "256KiB")
	stop := make(chan struct{})
	times := load(t, p.addr, o.URL+"/big", 4, 300, stop)()
	if len(times) != 300 {
		t.Fatalf("only %d of 300 requests answered: the proxy stopped forwarding", len(times))
	}
	p.stop(t)
	log := p.logText()
	if !strings.Contains(log, "ERROR: cannot store flows") || !strings.Contains(log, "not written") {
		t.Errorf("the full disk was not reported loudly:\n%s", tail(log, 5))
	}
	if got := storedFlows(t, home); got >= 300 || got == 0 {
		t.Errorf("stored %d flows; want some but not all", got)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

var _ = fmt.Sprint
