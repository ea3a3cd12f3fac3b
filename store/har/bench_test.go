package har_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/har"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

var (
	bigOnce sync.Once
	bigDB   *sqlite.DB
	bigDir  string
	bigID   int64
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDB != nil {
		bigDB.Close()
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

// bigSession records 100,000 flows with 2 KiB bodies across 1,000 pages,
// once per test binary.
func bigSession(b *testing.B) (*sqlite.DB, int64) {
	bigOnce.Do(func() {
		var err error
		bigDir, err = os.MkdirTemp("", "glassbox-bench-")
		if err != nil {
			b.Fatal(err)
		}
		bigDB, err = sqlite.Open(filepath.Join(bigDir, "big.db"))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		sess, _ := bigDB.StartSession(ctx, store.Session{Started: t0})
		bigID = sess.ID
		w := bigDB.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
		body := bytes.Repeat([]byte("<p>hello</p>\n"), 160) // ~2 KiB
		for p := int64(1); p <= 1000; p++ {
			w.RecordPage(&store.Page{ID: p, FlowID: (p-1)*100 + 1, URL: fmt.Sprintf("https://shop.test/p/%d", p), Title: "Page", Start: at(int(p) * 1000)})
		}
		for i := int64(1); i <= 100_000; i++ {
			start := at(int(i) * 10)
			w.RecordFlow(&store.Flow{ID: i, PageID: (i-1)/100 + 1, Kind: "http", ResourceType: "document", Method: "GET",
				URL: fmt.Sprintf("https://shop.test/item/%d?q=1", i), Proto: "HTTP/2.0",
				ReqHeaders: hdr("Accept", "text/html", "User-Agent", "bench", "Cookie", "a=1; b=2"),
				Status:     200, StatusText: "OK", RespProto: "HTTP/2.0",
				RespHeaders: hdr("Content-Type", "text/html; charset=utf-8", "Cache-Control", "max-age=60", "Set-Cookie", "s=1; HttpOnly"),
				RespBody:    store.Body{Data: body, Size: int64(len(body))},
				Start:       start, GotConn: start.Add(time.Millisecond), WroteRequest: start.Add(2 * time.Millisecond),
				FirstByte: start.Add(5 * time.Millisecond), End: start.Add(6 * time.Millisecond), ReqHeaderSize: 100, RespHeaderSize: 120})
		}
		if err := w.Close(ctx); err != nil {
			b.Fatal(err)
		}
	})
	return bigDB, bigID
}

// BenchmarkExport100k exports a 100,000-flow session as HAR and reports
// entries/s and the peak heap while exporting (the export streams, so the
// peak must not grow with the session).
func BenchmarkExport100k(b *testing.B) {
	db, id := bigSession(b)
	b.ResetTimer()
	var peak atomic.Uint64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		stop := make(chan struct{})
		go func() {
			// runtime/metrics, unlike ReadMemStats, does not stop the world:
			// sampling must not slow down what it measures.
			sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			for {
				metrics.Read(sample)
				if v := sample[0].Value.Uint64(); v > peak.Load() {
					peak.Store(v)
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		n := &countingWriter{}
		if err := har.Export(context.Background(), db, id, n, har.Options{}); err != nil {
			b.Fatal(err)
		}
		close(stop)
		b.SetBytes(n.n)
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)
