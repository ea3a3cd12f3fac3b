package proxy_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/glassbox-dev/glassbox/proxy"
)

// refusingRecorder is a memRecorder whose body queue is always full.
type refusingRecorder struct {
	*memRecorder
	mu    sync.Mutex
	asked []int64
}

func (r *refusingRecorder) AdmitBody(n int64) bool {
	r.mu.Lock()
	r.asked = append(r.asked, n)
	r.mu.Unlock()
	return false
}

// When the recorder would shed body copies, the proxy does not copy the
// bodies at all, yet forwards them whole and records the flow with their
// true sizes, marked truncated.
func TestBodiesNotCopiedWhenRecorderSheds(t *testing.T) {
	origin := httptest.NewServer(echoOrigin())
	defer origin.Close()
	rec := &refusingRecorder{memRecorder: newMemRecorder()}
	h := newHarness(t, func(c *proxy.Config) { c.Recorder = rec })
	resp, err := h.client(nil).Post(origin.URL+"/upload", "text/plain", strings.NewReader("a request body"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := "POST /upload proto=HTTP/1.1 body=a request body"
	if string(got) != want {
		t.Fatalf("forwarded %q, want %q", got, want)
	}
	f := rec.waitFlows(t, 1)[0]
	if f.RespBody.Data != nil || !f.RespBody.Truncated || !f.RespBody.Shed || f.RespBody.Size != int64(len(want)) {
		t.Errorf("response body: %d bytes kept, truncated %v, size %d; want none kept, truncated, size %d",
			len(f.RespBody.Data), f.RespBody.Truncated, f.RespBody.Size, len(want))
	}
	if f.ReqBody.Data != nil || !f.ReqBody.Truncated || !f.ReqBody.Shed || f.ReqBody.Size != 14 {
		t.Errorf("request body: %d bytes kept, truncated %v, size %d; want none kept, truncated, size 14",
			len(f.ReqBody.Data), f.ReqBody.Truncated, f.ReqBody.Size)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.asked) != 2 || rec.asked[0] != 14 {
		t.Errorf("AdmitBody asked %v; want the request's 14 bytes, then the response", rec.asked)
	}
}
