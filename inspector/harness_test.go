package inspector

import (
	"cmp"
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
)

var update = flag.Bool("update", false, "rewrite the golden screens and README's key table")

func TestMain(m *testing.M) {
	// Golden screens show clock times: the same in every time zone.
	time.Local = time.UTC
	code := m.Run()
	cleanupBench()
	os.Exit(code)
}

// harness runs the inspector on a simulation screen in a goroutine (the
// screen's event queue holds 10 events, so the test must not be the one
// reading it).
type harness struct {
	t    testing.TB
	s    *lockedScreen
	done chan error
	// patience is how long sync waits for the inspector to be idle (20s
	// when zero); benchmarks that scan 100,000 bodies wait longer.
	patience time.Duration
}

func start(t testing.TB, opts Options, w, h int) *harness {
	t.Helper()
	s := &lockedScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8")}
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	s.SetSize(w, h)
	opts.Screen = s
	if opts.Now == nil {
		opts.Now = func() time.Time { return t0.Add(time.Hour) }
	}
	if opts.ExportDir == "" {
		opts.ExportDir = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	h2 := &harness{t: t, s: s, done: make(chan error, 1)}
	go func() { h2.done <- Run(ctx, opts) }()
	t.Cleanup(func() {
		cancel()
		<-h2.done
	})
	h2.sync()
	return h2
}

// sync waits until the inspector has handled every event sent so far,
// finished reading the store, and drawn.
func (h *harness) sync() {
	h.t.Helper()
	ch := make(chan struct{})
	for h.s.PostEvent(&syncEvent{done: ch}) != nil {
		runtime.Gosched() // the queue is full: the loop is draining it
	}
	select {
	case <-ch:
	case err := <-h.done:
		h.t.Fatalf("the inspector stopped: %v", err)
	case <-time.After(cmp.Or(h.patience, 20*time.Second)):
		h.t.Fatal("the inspector did not become idle")
	}
}

func (h *harness) key(k tcell.Key) { h.s.InjectKey(k, 0, tcell.ModNone) }

// typeText sends characters one by one.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.s.InjectKey(tcell.KeyRune, r, tcell.ModNone)
	}
}

// press sends keys (characters, or names in <> like <Enter>) and syncs.
func (h *harness) press(keys ...any) {
	h.t.Helper()
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			h.typeText(k)
		case tcell.Key:
			h.key(k)
		}
	}
	h.sync()
}

// lockedScreen lets a test read the simulation screen while the inspector
// draws on it from its own goroutine (a live inspector draws whenever the
// store changes): tcell's GetContents hands out the cells it goes on writing.
type lockedScreen struct {
	tcell.SimulationScreen
	mu sync.Mutex
}

func (s *lockedScreen) Show() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.SimulationScreen.Show()
}

func (s *lockedScreen) Sync() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.SimulationScreen.Sync()
}

func (s *lockedScreen) SetSize(w, h int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.SimulationScreen.SetSize(w, h)
}

// contents is a copy of what the screen shows.
func (s *lockedScreen) contents() ([]tcell.SimCell, int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cells, w, h := s.GetContents()
	out := make([]tcell.SimCell, len(cells))
	for i, c := range cells {
		out[i] = tcell.SimCell{Runes: append([]rune(nil), c.Runes...), Style: c.Style}
	}
	return out, w, h
}

// text is the screen as lines, trailing spaces trimmed.
func (h *harness) text() string {
	cells, w, ht := h.s.contents()
	var b strings.Builder
	for y := 0; y < ht; y++ {
		var line strings.Builder
		for x := 0; x < w; x++ {
			c := cells[y*w+x]
			if len(c.Runes) == 0 {
				line.WriteByte(' ')
				continue
			}
			line.WriteString(string(c.Runes))
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// golden compares the screen with testdata/name.golden (-update rewrites it).
func (h *harness) golden(name string) {
	h.t.Helper()
	got := h.text()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			h.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			h.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		h.t.Fatalf("%v (run go test ./inspector -update to create it)", err)
	}
	if got != string(want) {
		h.t.Errorf("screen differs from %s (go test ./inspector -update rewrites it):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func (h *harness) contains(want ...string) {
	h.t.Helper()
	got := h.text()
	for _, w := range want {
		if !strings.Contains(got, w) {
			h.t.Errorf("screen lacks %q:\n%s", w, got)
		}
	}
}
