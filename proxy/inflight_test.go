package proxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/storetest"
)

// A request in flight is recorded as it is at the live clock's ticks: first
// waiting for the answer (no status, no end), then downloading (status and
// bytes so far), then whole; it is never recorded in flight after it ended.
func TestFlowsInFlight(t *testing.T) {
	head, body := make(chan struct{}), make(chan struct{})
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-head
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(200)
		io.WriteString(w, strings.Repeat("a", 1000))
		w.(http.Flusher).Flush()
		<-body
		io.WriteString(w, strings.Repeat("b", 500))
	}))
	defer origin.Close()
	rec := &historyRecorder{memRecorder: newMemRecorder()}
	h := newHarness(t, func(c *proxy.Config) { c.Recorder, c.LiveEvery = rec, 10*time.Millisecond })
	done := make(chan string, 1)
	go func() {
		resp, err := h.client(nil).Get(origin.URL + "/slow")
		if err != nil {
			done <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- string(b)
	}()
	storetest.Eventually(t, 10*time.Second, "the flow in flight, waiting", func() bool {
		f, ok := rec.last(1)
		return ok && f.End.IsZero() && f.Status == 0 && f.Method == "GET" && strings.HasSuffix(f.URL, "/slow") && !f.GotConn.IsZero()
	})
	close(head)
	storetest.Eventually(t, 10*time.Second, "the flow in flight, downloading", func() bool {
		f, ok := rec.last(1)
		return ok && f.End.IsZero() && f.Status == 200 && f.RespBody.Size == 1000 && !f.FirstByte.IsZero()
	})
	close(body)
	if got := <-done; len(got) != 1500 {
		t.Fatalf("the browser got %q", got)
	}
	storetest.Eventually(t, 10*time.Second, "the flow whole", func() bool {
		f, ok := rec.last(1)
		return ok && !f.End.IsZero() && f.RespBody.Size == 1500 && len(f.RespBody.Data) == 1500
	})
	time.Sleep(50 * time.Millisecond) // five ticks: none may record it in flight again
	if f, _ := rec.last(1); f.End.IsZero() {
		t.Error("a snapshot in flight was recorded after the flow ended")
	}
	for i, f := range rec.history(1) {
		if f.End.IsZero() != (i < len(rec.history(1))-1) {
			t.Errorf("write %d of %d: ended %v", i+1, len(rec.history(1)), !f.End.IsZero())
		}
	}
}

// historyRecorder keeps every write of every flow, in order.
type historyRecorder struct {
	*memRecorder
	all []store.Flow
}

func (r *historyRecorder) RecordFlow(f *store.Flow) {
	r.mu.Lock()
	r.all = append(r.all, *f)
	r.mu.Unlock()
}

func (r *historyRecorder) history(id int64) []store.Flow {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []store.Flow
	for _, f := range r.all {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

func (r *historyRecorder) last(id int64) (store.Flow, bool) {
	h := r.history(id)
	if len(h) == 0 {
		return store.Flow{}, false
	}
	return h[len(h)-1], true
}
