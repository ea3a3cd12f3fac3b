package main_test

import (
	"context"
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
	"github.com/glassbox-dev/glassbox/store/storetest"
)

// loadRun is requests sent through the proxy from several goroutines.
type loadRun struct {
	sent, answered atomic.Int64 // requests started; answered 200 and read whole
	wg             sync.WaitGroup
	client         *http.Client
}

// load sends requests to target through the proxy from n goroutines until
// stop is closed or max requests were sent.
func load(proxyAddr, target string, n, max int, stop <-chan struct{}) *loadRun {
	pu, _ := url.Parse("http://" + proxyAddr)
	r := &loadRun{client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(pu), MaxIdleConnsPerHost: n}}}
	for range n {
		r.wg.Go(func() {
			for r.sent.Add(1) <= int64(max) {
				select {
				case <-stop:
					r.sent.Add(-1)
					return
				default:
				}
				resp, err := r.client.Get(target)
				if err != nil {
					return
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode == 200 {
					r.answered.Add(1)
				}
			}
			r.sent.Add(-1) // the one over max was not sent
		})
	}
	return r
}

// wait waits for the goroutines and returns how many requests were
// answered.
func (r *loadRun) wait() int64 {
	r.wg.Wait()
	r.client.CloseIdleConnections()
	return r.answered.Load()
}

// storedFlows opens the database after glassbox has stopped, checks its
// integrity and returns the number of flows of the latest session.
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

// committedFlows is the number of flows of the latest session that a
// reader sees while glassbox is still writing; 0 when there is none yet.
func committedFlows(home string) int64 {
	db, err := sqlite.OpenReadOnly(filepath.Join(home, "glassbox.db"))
	if err != nil {
		return 0
	}
	defer db.Close()
	s, err := db.Session(context.Background(), 0)
	if err != nil {
		return 0
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
	answered := load(p.addr, o.URL+"/x", 8, 1500, nil).wait()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	if got := storedFlows(t, home); got != answered {
		t.Errorf("stored %d flows for %d answered requests", got, answered)
	}
}

// kill -9 in the middle of a load: the database opens and passes
// integrity_check, and every flow a reader saw committed before the kill
// is still there (at most what was not yet committed is lost).
func TestKill9KeepsWhatWasCommitted(t *testing.T) {
	o := okOrigin(t)
	home := t.TempDir()
	p := startProxy(t, home)
	stop := make(chan struct{})
	run := load(p.addr, o.URL+"/x", 8, 1<<30, stop)
	defer func() {
		close(stop)
		run.wait()
	}()
	storetest.Eventually(t, 60*time.Second, "200 requests answered through glassbox", func() bool { return run.answered.Load() >= 200 })
	var committed int64
	storetest.Eventually(t, 60*time.Second, "100 flows committed while the load goes on", func() bool {
		committed = committedFlows(home)
		return committed >= 100
	})
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	got := storedFlows(t, home)
	if got < committed {
		t.Errorf("stored %d flows after kill -9, but %d were committed before it", got, committed)
	}
	if sent := run.sent.Load(); got > sent {
		t.Errorf("stored %d flows for %d requests sent", got, sent)
	}
	t.Logf("committed %d before the kill, %d stored after, %d answered", committed, got, run.answered.Load())
}

// A full database: glassbox says so loudly, keeps forwarding, and counts
// what it could not store.
func TestFullDatabaseKeepsForwarding(t *testing.T) {
	o := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("0123456789", 2000))
	}))
	defer o.Close()
	home := t.TempDir()
	// Room for the empty schema (19 pages of 4 KiB since version 3's
	// annotations table) and a first batch of the writer, which must fit
	// whole: at 256 KiB a batch of about nine 20 KB bodies did not, and
	// nothing was stored at all.
	p := startProxy(t, home, "--max-db-size", "512KiB")
	if answered := load(p.addr, o.URL+"/big", 4, 300, nil).wait(); answered != 300 {
		t.Fatalf("only %d of 300 requests answered: the proxy stopped forwarding", answered)
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
