package main_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector"
)

// simScreen is a simulation screen that keeps the text of the last frame
// the inspector showed and signals each frame, so a test waits on frames,
// never on the clock.
type simScreen struct {
	tcell.SimulationScreen
	mu    sync.Mutex
	text  string
	shown chan struct{}
}

// simulate runs the inspector with opts on a w x h simulation screen until
// the test ends.
func simulate(t *testing.T, w, h int, opts inspector.Options) *simScreen {
	t.Helper()
	s := &simScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8"), shown: make(chan struct{}, 1)}
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	s.SetSize(w, h)
	opts.Screen = s
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- inspector.Run(ctx, opts) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return s
}

func (s *simScreen) Show() {
	s.SimulationScreen.Show()
	cells, w, _ := s.GetContents()
	var b strings.Builder
	for i, c := range cells {
		if i%w == 0 {
			b.WriteByte('\n')
		}
		b.WriteString(string(c.Runes))
	}
	s.mu.Lock()
	s.text = b.String()
	s.mu.Unlock()
	select {
	case s.shown <- struct{}{}:
	default:
	}
}

// waitFor waits until a frame shows want, and returns that frame (its
// lines each start with a newline).
func (s *simScreen) waitFor(t *testing.T, want string) string {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		s.mu.Lock()
		text := s.text
		s.mu.Unlock()
		if strings.Contains(text, want) {
			return text
		}
		select {
		case <-s.shown:
		case <-timeout:
			t.Fatalf("the inspector never showed %q; the last frame:%s", want, text)
		}
	}
}

// typeKeys types characters; \r is Enter.
func (s *simScreen) typeKeys(keys string) {
	for _, r := range keys {
		if r == '\r' {
			s.InjectKey(tcell.KeyEnter, 0, tcell.ModNone)
			continue
		}
		s.InjectKey(tcell.KeyRune, r, tcell.ModNone)
	}
}

// click clicks the first line of the screen that shows text.
func (s *simScreen) click(t *testing.T, text string) {
	t.Helper()
	for y, line := range strings.Split(s.waitFor(t, text), "\n")[1:] {
		if strings.Contains(line, text) {
			s.InjectMouse(4, y, tcell.Button1, tcell.ModNone)
			s.InjectMouse(4, y, tcell.ButtonNone, tcell.ModNone)
			return
		}
	}
}
