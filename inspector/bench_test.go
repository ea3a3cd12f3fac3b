package inspector

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// bigFlows is the size of the benchmark session (issue 5: "a session of
// 100,000 flows opens and scrolls without lag").
const bigFlows = 100_000

// benchDB is a database the benchmarks record once per test binary.
type benchDB struct {
	once sync.Once
	dir  string // the temporary directory holding it, removed at the end
	db   *sqlite.DB
	err  error
}

// get opens the database at path (a temporary file when "") and, the
// first time, has fill record into it.
func (d *benchDB) get(b *testing.B, path string, fill func(db *sqlite.DB) error) *sqlite.DB {
	d.once.Do(func() {
		if path == "" {
			if d.dir, d.err = os.MkdirTemp("", "glassbox-bench-"); d.err != nil {
				return
			}
			path = filepath.Join(d.dir, "bench.db")
		}
		if d.db, d.err = sqlite.Open(path); d.err == nil {
			d.err = fill(d.db)
		}
	})
	if d.err != nil {
		b.Fatal(d.err)
	}
	return d.db
}

func (d *benchDB) cleanup() {
	if d.db != nil {
		d.db.Close()
	}
	if d.dir != "" {
		os.RemoveAll(d.dir)
	}
}

var big benchDB

// bigDB records a session of 100,000 flows once per test binary: 2,000
// page loads of 50 flows over 50 hosts and connections.
func bigDB(b *testing.B) *sqlite.DB { return big.get(b, "", fillBig) }

func fillBig(db *sqlite.DB) error {
	ctx := context.Background()
	s, err := db.StartSession(ctx, store.Session{Started: t0})
	if err != nil {
		return err
	}
	w := db.NewWriter(s.ID, sqlite.WriterOptions{Block: true})
	for c := int64(1); c <= 50; c++ {
		w.RecordConn(conn(c, 0, fmt.Sprintf("host%d.test", c), "443", "10.0.1.1", 0, 1, 1, 2))
	}
	for i := int64(1); i <= bigFlows; i++ {
		pid := (i-1)/50 + 1
		if (i-1)%50 == 0 {
			w.RecordPage(&store.Page{ID: pid, FlowID: i, URL: fmt.Sprintf("https://host1.test/page/%d", pid), Title: fmt.Sprintf("Page %d", pid), Start: at(float64(i))})
		}
		f := get(i, pid, i%50+1, fmt.Sprintf("https://host%d.test/static/%d.js", i%50+1, i), 200, float64(i), float64(i)+20)
		f.ResourceType = store.TypeScript
		f.RespBody.Size = 1000 + i%5000
		w.RecordFlow(f)
	}
	return w.Close(ctx)
}

func cleanupBench() {
	big.cleanup()
	bodied.cleanup()
	bigBody.cleanup()
	loose.cleanup()
}

// BenchmarkOpen100k: from Run to the whole session read, grouped and
// drawn (200x60).
func BenchmarkOpen100k(b *testing.B) {
	db := bigDB(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h := startBench(b, db)
		h.stop()
	}
}

// BenchmarkFirstFrame100k: from Run to the first frame that shows flows;
// the first batch of summaries is on screen while the rest is read.
func BenchmarkFirstFrame100k(b *testing.B) {
	db := bigDB(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := &firstFlows{SimulationScreen: tcell.NewSimulationScreen("UTF-8"), seen: make(chan struct{})}
		s.Init()
		s.SetSize(200, 60)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- Run(ctx, Options{Reader: db, Screen: s}) }()
		<-s.seen
		b.StopTimer()
		cancel()
		<-done
		b.StartTimer()
	}
}

// firstFlows signals the first Show that has a flow on screen.
type firstFlows struct {
	tcell.SimulationScreen
	seen chan struct{}
	once sync.Once
}

func (f *firstFlows) Show() {
	f.SimulationScreen.Show()
	cells, w, _ := f.GetContents()
	if len(cells) > 3*w && strings.Contains(string(cells[3*w+2].Runes)+string(cells[3*w+3].Runes)+string(cells[3*w+4].Runes), "GET") {
		f.once.Do(func() { close(f.seen) })
	}
}

// BenchmarkFrame100k: drawing one whole 200x60 frame with 100,000 flows
// in the list (the list, the detail tab, the header and footer).
func BenchmarkFrame100k(b *testing.B) {
	h := startBench(b, bigDB(b))
	h.press("j") // a flow selected, its details read
	drawFrames(b, h)
}

// drawFrames times whole frames of what h shows, its event loop stopped
// so that only draw runs.
func drawFrames(b *testing.B, h *benchHarness) {
	a := h.app
	h.stop()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.dirty = true
		a.draw()
	}
}

// BenchmarkKeypress100k: one key (j, alternating with k) handled, the
// selected flow read in full, and the frame redrawn.
func BenchmarkKeypress100k(b *testing.B) {
	h := startBench(b, bigDB(b))
	h.press(down(200))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			h.typeText("j")
		} else {
			h.typeText("k")
		}
		h.sync()
	}
	b.StopTimer()
	h.stop()
}

type benchHarness struct {
	*harness
	app    *app
	cancel func()
}

func startBench(b *testing.B, db *sqlite.DB) *benchHarness { return startBenchN(b, db, bigFlows) }

// startBenchN starts the inspector on db, which holds n flows.
func startBenchN(b *testing.B, db *sqlite.DB, n int) *benchHarness {
	s := &lockedScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8")}
	s.Init()
	s.SetSize(200, 60)
	ctx, cancel := context.WithCancel(context.Background())
	a := newApp(ctx, Options{Reader: db, Screen: s, Now: time.Now, Poll: time.Hour}, s)
	h := &harness{t: b, s: s, done: make(chan error, 1)}
	go func() { h.done <- a.loop() }()
	h.sync()
	if a.m.FlowCount() != n {
		b.Fatalf("%d flows read, want %d", a.m.FlowCount(), n)
	}
	return &benchHarness{harness: h, app: a, cancel: cancel}
}

func (h *benchHarness) stop() {
	h.cancel()
	<-h.done
}
