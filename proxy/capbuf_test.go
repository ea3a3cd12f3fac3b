package proxy_test

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"unsafe"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
)

// releasingRecorder does with a lent body what the SQLite writer does:
// reads it (here: copies it, checking its sum and blocks) and releases
// it, so the proxy lends the memory again to the bodies that follow.
type releasingRecorder struct {
	*memRecorder
	mu       sync.Mutex
	lent     int
	problems []string
}

func (r *releasingRecorder) RecordFlow(f *store.Flow) {
	c := *f
	if b := f.RespBody.Buffer; b != nil {
		data := f.RespBody.Data
		r.mu.Lock()
		r.lent++
		if b.CRC32C() != crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)) {
			r.problems = append(r.problems, fmt.Sprintf("flow %d: CRC-32C %08x does not sum its data", f.ID, b.CRC32C()))
		}
		blocks := b.Blocks()
		if len(blocks)%4096 != 0 || uintptr(unsafe.Pointer(&blocks[0]))%4096 != 0 || !bytes.Equal(blocks[:len(data)], data) {
			r.problems = append(r.problems, fmt.Sprintf("flow %d: Blocks is not the data in aligned 4 KiB blocks", f.ID))
		}
		r.mu.Unlock()
		c.RespBody.Data, c.RespBody.Buffer = bytes.Clone(data), nil
		b.Release()
	}
	r.memRecorder.RecordFlow(&c)
}

// Large bodies go through capture buffers that are released and lent
// again while other bodies are still crossing: every recorded copy is
// exactly what its origin sent (up to --max-body), whatever body used the
// memory before. Documents are parsed for their references, so they keep
// copies of their own.
func TestLentCaptureBuffersHoldEachBody(t *testing.T) {
	const maxBody = 1 << 20
	sizes := []int{64 << 10, 64<<10 + 1, 300 << 10, maxBody, maxBody + 5, 2<<20 - 1}
	content := func(size, seed int) []byte {
		b := make([]byte, size)
		rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}).Read(b)
		return b
	}
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		seed, _ := strconv.Atoi(r.URL.Query().Get("seed"))
		ct := "application/octet-stream"
		if r.URL.Query().Get("html") != "" {
			ct = "text/html"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", strconv.Itoa(size))
		w.Write(content(size, seed))
	}))
	defer origin.Close()
	rec := &releasingRecorder{memRecorder: newMemRecorder()}
	h := newHarness(t, func(c *proxy.Config) { c.MaxBody = maxBody; c.Recorder = rec })
	client := h.client(nil)
	const workers, each = 6, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				seed := w*each + i
				u := fmt.Sprintf("%s/b?size=%d&seed=%d", origin.URL, sizes[seed%len(sizes)], seed)
				if seed%7 == 3 {
					u += "&html=1"
				}
				resp, err := client.Get(u)
				if err != nil {
					errs <- err
					return
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || !bytes.Equal(got, content(sizes[seed%len(sizes)], seed)) {
					errs <- fmt.Errorf("%s: the client got %d bytes (%v), not the origin's", u, len(got), err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	flows := rec.waitFlows(t, workers*each)
	for _, f := range flows {
		q := f.URL[len(origin.URL)+len("/b?"):]
		var size, seed int
		fmt.Sscanf(q, "size=%d&seed=%d", &size, &seed)
		want := content(size, seed)[:min(size, maxBody)]
		if !bytes.Equal(f.RespBody.Data, want) || f.RespBody.Size != int64(size) || f.RespBody.Truncated != (size > maxBody) {
			t.Errorf("%s: stored %d bytes (truncated %v, size %d), not the first %d the origin sent",
				f.URL, len(f.RespBody.Data), f.RespBody.Truncated, f.RespBody.Size, len(want))
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, p := range rec.problems {
		t.Error(p)
	}
	// Every octet-stream response (not the documents, one in seven) was
	// lent, the pool being far from its cap.
	documents := 0
	for seed := range workers * each {
		if seed%7 == 3 {
			documents++
		}
	}
	if rec.lent != workers*each-documents {
		t.Errorf("%d bodies lent, want %d (all but the %d documents)", rec.lent, workers*each-documents, documents)
	}
}
