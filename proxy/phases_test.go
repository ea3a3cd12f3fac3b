package proxy_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
)

// originDelay is how long the origins below think before they answer.
const originDelay = 15 * time.Millisecond

// Phase boundaries come from events every flow has, taken where the bytes
// cross (issue 14): under load, over HTTP/1.1 and HTTP/2 origins alike,
// every answered flow's send, wait and receive follow one another and the
// wait holds at least the origin's delay. Before, with an HTTP/2 origin,
// a few flows in a hundred were recorded before httptrace said their
// request was written: all send, no wait.
func TestPhasesAtLoad(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(originDelay)
		n, _ := strconv.Atoi(r.URL.Query().Get("size"))
		w.Write(bytes.Repeat([]byte("r"), n))
	})
	h1o := httptest.NewTLSServer(handler)
	defer h1o.Close()
	h2o := httptest.NewUnstartedServer(handler)
	h2o.EnableHTTP2 = true
	h2o.StartTLS()
	defer h2o.Close()
	h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = poolOf(h1o.Certificate(), h2o.Certificate()) })
	browsers := []*http.Client{h.client(nil), h.client(nil)}
	browsers[1].Transport.(*http.Transport).ForceAttemptHTTP2 = false

	const perOrigin, workers = 112, 8
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range jobs {
				origin := []string{h1o.URL, h2o.URL}[i%2]
				url := origin + "/p?size=" + strconv.Itoa(1<<(i%18))
				var err error
				var resp *http.Response
				if i%3 == 0 {
					resp, err = browsers[w%2].Post(url, "application/octet-stream", bytes.NewReader(make([]byte, 32<<10)))
				} else {
					resp, err = browsers[w%2].Get(url)
				}
				if err != nil {
					t.Error(err)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	for i := range 2 * perOrigin {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for _, f := range h.rec.waitFlows(t, 2*perOrigin) {
		checkPhases(t, &f)
	}
}

func checkPhases(t *testing.T, f *store.Flow) {
	t.Helper()
	if f.Status != 200 || f.Error != nil {
		t.Errorf("flow %d: %d %v", f.ID, f.Status, f.Error)
		return
	}
	marks := []time.Time{f.Start, f.GotConn, f.WroteRequest, f.FirstByte, f.End}
	for i, m := range marks {
		if m.IsZero() || i > 0 && m.Before(marks[i-1]) {
			t.Errorf("flow %d over %s: marks out of order or missing: %v", f.ID, f.OriginProto, marks)
			return
		}
	}
	if wait := f.FirstByte.Sub(f.WroteRequest); wait < originDelay {
		t.Errorf("flow %d over %s: wait %v, shorter than the origin's %v", f.ID, f.OriginProto, wait, originDelay)
	}
	tm := store.ComputeTimings(f, nil)
	if sum, span := tm.Send+tm.Wait+tm.Receive, f.End.Sub(f.GotConn); sum != span {
		t.Errorf("flow %d: send %v + wait %v + receive %v = %v, not the %v from connection to end", f.ID, tm.Send, tm.Wait, tm.Receive, sum, span)
	}
}
