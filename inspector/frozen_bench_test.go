package inspector

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// Issue 15, item 3 ("never frozen"): one big body, or one long URL, must
// not freeze the screen. These benchmarks lay out the detail tabs of such
// flows and draw frames with one selected among 100,000 flows. Numbers:
// docs/BENCHMARKS.md, "Notes".

// oneLineJS is a minified script of n bytes on one line.
func oneLineJS(n int) []byte {
	var b bytes.Buffer
	for k := 0; b.Len() < n; k++ {
		fmt.Fprintf(&b, "function f%d(a,b){return a*%d+b.length>%d?a:b};var v%d=f%d(1,'x');", k, k, k%97, k, k)
	}
	return b.Bytes()[:n]
}

// oneLineJSON is a JSON document of about n bytes on one line.
func oneLineJSON(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"items":[`)
	for k := 0; b.Len() < n; k++ {
		fmt.Fprintf(&b, `{"id":%d,"name":"item %d","tags":["a","b"],"price":%d.%02d},`, k, k, k%100, k%97)
	}
	b.WriteString(`{"id":-1}]}`)
	return b.Bytes()
}

// bombSize is what the benchmark's gzip bomb decodes to: 1 GiB of JSON,
// about 1 MiB gzipped.
const bombSize = 1 << 30

var bombOnce struct {
	sync.Once
	data []byte
}

// gzipBomb is a small gzip body that decodes to bombSize bytes of JSON
// (one array that never closes), made once per test binary.
func gzipBomb() []byte {
	bombOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write([]byte("["))
		chunk := bytes.Repeat([]byte(`{"a":1},`), 64<<10/8)
		for n := 1; n < bombSize; n += len(chunk) {
			zw.Write(chunk[:min(len(chunk), bombSize-n)])
		}
		zw.Close()
		bombOnce.data = b.Bytes()
	})
	return bombOnce.data
}

// bigFlow is a flow with a response body (coded with enc when not "").
func bigFlow(id int64, url, ctype, enc string, body []byte) *store.Flow {
	f := get(id, 0, 1, url, 200, float64(id), float64(id)+20)
	f.ResourceType = store.TypeScript
	f.RespHeaders = store.Headers{{Name: "Content-Type", Value: ctype}}
	if enc != "" {
		f.RespHeaders = append(f.RespHeaders, store.Header{Name: "Content-Encoding", Value: enc})
	}
	f.RespBody = store.Body{Data: body, Size: int64(len(body))}
	return f
}

// benchTheme is the theme of a 256-colour terminal.
func benchTheme() *render.Theme { return render.NewTheme(256, false) }

// layoutTab lays out one tab of a flow alone in its page, as the detail
// pane of a 200-column screen does (88 columns wide), and returns the
// lines.
func layoutTab(f *store.Flow, tab int) []render.Line {
	return render.FlowTab(benchTheme(), tab, render.FlowDetail{Flow: f}, 88)
}

const (
	tabStory = 0
	tabBody  = 4
)

func benchLayout(b *testing.B, f *store.Flow, tab int) {
	b.ReportAllocs()
	var n int
	for i := 0; i < b.N; i++ {
		n = len(layoutTab(f, tab))
	}
	b.ReportMetric(float64(n), "lines")
}

// BenchmarkBodyTabOneLine: the Body tab of a minified script or JSON
// document on one line (issue 15: 16 s for 1 MiB of script).
func BenchmarkBodyTabOneLine(b *testing.B) {
	for _, size := range []int{1 << 20, 8 << 20} {
		js := bigFlow(1, "https://cdn.test/app.js", "application/javascript", "", oneLineJS(size))
		b.Run(fmt.Sprintf("js-%dMiB", size>>20), func(b *testing.B) { benchLayout(b, js, tabBody) })
		js2 := bigFlow(1, "https://api.test/items", "application/json", "gzip", gzipBytes(oneLineJSON(size)))
		b.Run(fmt.Sprintf("json-gzip-%dMiB", size>>20), func(b *testing.B) { benchLayout(b, js2, tabBody) })
	}
}

// BenchmarkBodyTabGzipBomb: the Body tab of 1 MiB of gzip that decodes to
// 1 GiB of JSON (issue 15: it hung the Body tab).
func BenchmarkBodyTabGzipBomb(b *testing.B) {
	f := bigFlow(1, "https://api.test/bomb.json", "application/json", "gzip", gzipBomb())
	b.ResetTimer()
	benchLayout(b, f, tabBody)
}

// longURL is a URL of about n bytes: a query string of many parameters.
func longURL(n int) string {
	var b strings.Builder
	b.WriteString("https://api.test/search?q=x")
	for k := 0; b.Len() < n; k++ {
		fmt.Fprintf(&b, "&p%d=value%d", k, k)
	}
	return b.String()
}

// BenchmarkStoryLongURL: the Story tab of a flow whose URL is 600 KB
// (issue 15: 21 s before its Story appeared).
func BenchmarkStoryLongURL(b *testing.B) {
	for _, size := range []int{60_000, 600_000} {
		f := bigFlow(1, longURL(size), "text/plain", "", []byte("ok"))
		b.Run(fmt.Sprintf("%dKB", size/1000), func(b *testing.B) { benchLayout(b, f, tabStory) })
	}
}

var bigBody benchDB

// bigBodyDB is the 100,000 flows of bigDB and, last, one flow with a
// one-line script of bigBodySize bytes.
func bigBodyDB(b *testing.B) *sqlite.DB {
	return bigBody.get(b, "", func(db *sqlite.DB) error {
		if err := fillBig(db); err != nil {
			return err
		}
		ctx := context.Background()
		s, err := db.Session(ctx, 0) // the latest: fillBig's
		if err != nil {
			return err
		}
		w := db.NewWriter(s.ID, sqlite.WriterOptions{Block: true})
		f := bigFlow(bigFlows+1, "https://cdn.test/app.min.js", "application/javascript", "", oneLineJS(bigBodySize))
		f.Start, f.End = at(bigFlows+100), at(bigFlows+200)
		w.RecordFlow(f)
		return w.Close(ctx)
	})
}

// bigBodySize is the body of the frame benchmark: 8 MiB on one line.
var bigBodySize = 8 << 20

// BenchmarkFrameBody8MiBOneLine: one whole 200x60 frame with 100,000
// flows in the list and a flow with 8 MiB of script on one line selected
// on its Body tab (issue 15's "done when").
func BenchmarkFrameBody8MiBOneLine(b *testing.B) {
	h := startBenchN(b, bigBodyDB(b), bigFlows+1)
	h.patience = 1 << 40
	h.press("m", "G", tcell.KeyEnter, "5") // flat list, the last flow, its Body tab
	if !strings.Contains(h.text(), "#100001") || !strings.Contains(h.text(), "function f0(a,b)") {
		b.Fatalf("the body is not on screen:\n%s", h.text())
	}
	drawFrames(b, h)
}

// BenchmarkStoryBigBody: the Story tab (the first a selected flow shows)
// of a flow with 8 MiB of script, and of a gzip bomb, whose story
// measures what the body decodes to.
func BenchmarkStoryBigBody(b *testing.B) {
	js := bigFlow(1, "https://cdn.test/app.js", "application/javascript", "", oneLineJS(8<<20))
	b.Run("js-8MiB", func(b *testing.B) { benchLayout(b, js, tabStory) })
	bomb := bigFlow(1, "https://api.test/bomb.json", "application/json", "gzip", gzipBomb())
	b.Run("gzip-bomb-1GiB", func(b *testing.B) { benchLayout(b, bomb, tabStory) })
}

// BenchmarkSelectBody8MiBOneLine: with 100,000 flows in the list and the
// Body tab open, the key that selects the flow with 8 MiB of script (and
// back to the flow before it), until its first page is on screen: the
// flow read from the store, the page laid out in the background, the
// frame drawn.
func BenchmarkSelectBody8MiBOneLine(b *testing.B) {
	h := startBenchN(b, bigBodyDB(b), bigFlows+1)
	h.patience = 1 << 40
	h.press("m", "G", tcell.KeyEnter, "5")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.press("k")
		h.press("j")
	}
	b.StopTimer()
	if !strings.Contains(h.text(), "function f0(a,b)") {
		b.Fatalf("the body is not on screen:\n%s", h.text())
	}
	h.stop()
}
