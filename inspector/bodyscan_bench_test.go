package inspector

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// The body search at 100,000 flows (issue 19, item 3): a session like a
// day of browsing, every response with a body (gzipped JSON and scripts of
// 4-12 KiB decoded, some images), a fifth of the requests with a JSON
// body. GLASSBOX_BODY_BENCH_DB keeps the file for measuring other ways
// (docs/BENCHMARKS.md compares SQLite FTS5 on it).

var bodied benchDB

// bodyText is a decoded response body of about n bytes, different for
// each flow; every 1,000th flow holds the word the benchmark looks for.
func bodyText(i int64, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"id":%d,"items":[`, i)
	for k := 0; b.Len() < n; k++ {
		fmt.Fprintf(&b, `{"sku":"S-%d-%d","name":"item %d of order %d","price":"%d.%02d"},`, i, k, k, i, k*7%100, k%100)
	}
	if i%1000 == 0 {
		b.WriteString(`{"note":"needle-in-the-haystack"}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func gzipBytes(data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func bodiedDB(b *testing.B) *sqlite.DB {
	return bodied.get(b, os.Getenv("GLASSBOX_BODY_BENCH_DB"), fillBodied)
}

func fillBodied(db *sqlite.DB) error {
	ctx := context.Background()
	if s, err := db.Session(ctx, 0); err == nil && s.Flows == bigFlows {
		return nil // kept from an earlier run (GLASSBOX_BODY_BENCH_DB)
	}
	s, err := db.StartSession(ctx, store.Session{Started: t0})
	if err != nil {
		return err
	}
	w := db.NewWriter(s.ID, sqlite.WriterOptions{Block: true})
	img := pngBytes()
	for i := int64(1); i <= bigFlows; i++ {
		f := get(i, (i-1)/50+1, i%50+1, fmt.Sprintf("https://host%d.test/api/%d.json", i%50+1, i), 200, float64(i), float64(i)+20)
		if i%5 == 4 {
			f.ResourceType = store.TypeImage
			f.RespHeaders = store.Headers{{Name: "Content-Type", Value: "image/png"}}
			f.RespBody = store.Body{Data: img, Size: int64(len(img))}
		} else {
			z := gzipBytes(bodyText(i, 4096+int(i%8)*1024))
			f.ResourceType = store.TypeFetch
			f.RespHeaders = store.Headers{{Name: "Content-Encoding", Value: "gzip"}, {Name: "Content-Type", Value: "application/json"}}
			f.RespBody = store.Body{Data: z, Size: int64(len(z))}
		}
		if i%5 == 0 {
			f.Method = "POST"
			f.ReqBody = store.Body{Data: bodyText(i+1, 300), Size: 300}
		}
		w.RecordFlow(f)
	}
	return w.Close(ctx)
}

// BenchmarkBodyScan100k: every body of the session read, decoded and
// searched, as the inspector's background scan does (scanChunkOf until the
// end); reports flows/s.
func BenchmarkBodyScan100k(b *testing.B) {
	db := bodiedDB(b)
	f, err := model.ParseFilter("body:needle-in-the")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var after int64
		for after < bigFlows {
			hits, err := scanChunkOf(context.Background(), db, f, 1, after, bigFlows)
			if err != nil {
				b.Fatal(err)
			}
			after = hits.UpTo()
		}
	}
	b.ReportMetric(float64(bigFlows)*float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}

// BenchmarkBodyFilterUI100k: in the running inspector, from Enter on
// body:TEXT to the scan done and the list showing the 100 matches.
func BenchmarkBodyFilterUI100k(b *testing.B) {
	db := bodiedDB(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := startBench(b, db)
		h.patience = 5 * time.Minute // a loaded machine takes long to scan
		h.typeText("/body:needle-in-the")
		b.StartTimer()
		h.press(tcell.KeyEnter)
		b.StopTimer()
		if n := h.app.m.Shown(); n != bigFlows/1000 {
			b.Fatalf("%d flows match, want %d", n, bigFlows/1000)
		}
		h.stop()
	}
}

// BenchmarkBodyHitsApply100k: the part of the search that runs on the UI
// goroutine, once per chunk: a chunk's hits added and the list of 100,000
// rows rebuilt with them. It bounds how long a key waits while a search
// runs (the reading and decoding run in the background).
func BenchmarkBodyHitsApply100k(b *testing.B) {
	db := bodiedDB(b)
	m := model.New()
	flows, err := db.Flows(context.Background(), store.FlowQuery{SessionID: 1, Summary: true})
	if err != nil {
		b.Fatal(err)
	}
	m.Add(flows)
	m.SetHeight(50)
	f, _ := model.ParseFilter("body:needle-in-the")
	m.SetFilter(f)
	chunk, _ := scanChunkOf(context.Background(), db, f, 1, 0, bigFlows)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Hits().Add(chunk)
		m.SetFilter(f)
		m.Len()
	}
}
