package inspector

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
	"github.com/glassbox-dev/glassbox/store/storetest"
)

// Issue 15, item 3: one big body never freezes the screen.

// Lines of the big-body session's flat list, after the mode key.
const (
	lineBigJS = 1 // flow 2: 8 MiB of script on one line
	lineBomb  = 2 // flow 3: a gzip bomb served as JSON
	lineHTML  = 3 // flow 4: minified HTML with a few line breaks
)

const bigHTML = "<!doctype html>\n<html><head><title>Shop</title></head><body><div id=\"app\"><ul><li>one</li><li>two</li></ul></div>\n</body></html>"

// recording opens a database in a temporary directory and starts session
// s in it, with a blocking writer; both are closed when the test ends.
func recording(t *testing.T, s store.Session) (*sqlite.DB, store.Session, *sqlite.Writer) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "glassbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if s, err = db.StartSession(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	w := db.NewWriter(s.ID, sqlite.WriterOptions{Block: true})
	t.Cleanup(func() { w.Close(context.Background()) })
	return db, s, w
}

// bigBodies records a session of a small flow, a one-line script of 8 MiB,
// a gzip bomb (16 MiB of JSON) and HTML with line breaks, and returns
// the database and a writer that adds to it (closed at the end).
func bigBodies(t *testing.T) (*sqlite.DB, store.Session, *sqlite.Writer) {
	db, s, w := recording(t, store.Session{Started: t0})
	w.RecordFlow(get(1, 0, 1, "https://shop.test/small.txt", 200, 0, 5))
	js, bomb := bigPayloads()
	w.RecordFlow(bigFlow(2, "https://cdn.shop.test/app.min.js", "application/javascript", "", js))
	w.RecordFlow(bigFlow(3, "https://api.shop.test/bomb.json", "application/json", "gzip", bomb))
	w.RecordFlow(bigFlow(4, "https://shop.test/page.html", "text/html", "", []byte(bigHTML)))
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, s, w
}

var payloads struct {
	sync.Once
	js, bomb []byte
}

// bigPayloads are the script and the bomb of bigBodies, made once per test
// binary (compressing 16 MiB takes a while under the race detector).
func bigPayloads() (js, bomb []byte) {
	payloads.Do(func() {
		payloads.js = oneLineJS(8 << 20)
		payloads.bomb = gzipBytes([]byte("[" + strings.Repeat(`{"a":1},`, 2<<20)))
	})
	return payloads.js, payloads.bomb
}

// startApp runs the inspector like start, keeping its app to look into
// (on the UI goroutine, with onUI).
func startApp(t *testing.T, opts Options, w, ht int) (*harness, *app) {
	s := &lockedScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8")}
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	s.SetSize(w, ht)
	opts.Screen = s
	opts.Now = func() time.Time { return t0.Add(time.Hour) }
	ctx, cancel := context.WithCancel(context.Background())
	a := newApp(ctx, opts, s)
	h := &harness{t: t, s: s, done: make(chan error, 1)}
	go func() { h.done <- a.loop() }()
	t.Cleanup(func() {
		cancel()
		h.done <- <-h.done // leave the result for a test that waits on it too
	})
	h.sync()
	return h, a
}

// onUI runs f on the inspector's UI goroutine and waits for it.
func onUI(a *app, f func(a *app)) {
	done := make(chan struct{})
	a.results <- func(a *app) { f(a); close(done) }
	<-done
}

// quits waits for the inspector to end after q, bounded by the harness's
// patience: a layout running must not hold the key.
func (h *harness) quits() {
	h.t.Helper()
	h.typeText("q")
	select {
	case err := <-h.done:
		h.done <- err
		if err != nil {
			h.t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		h.t.Fatal("q did not quit")
	}
}

// TestBigOneLineBodyPagesAndQuits: 8 MiB of script on one line shows its
// first lines, the next page shows the bytes after the first MiB, and q
// quits while a page is being laid out.
func TestBigOneLineBodyPagesAndQuits(t *testing.T) {
	db, _, _ := bigBodies(t)
	h, _ := startApp(t, Options{Reader: db}, 160, 40)
	h.press("m", down(lineBigJS), tcell.KeyEnter, "5", "z")
	h.contains("#2 GET https://cdn.shop.test/app.min.js", "page 1 of 8: the first 1.0 MB; ] shows the next page", "function f0(a,b){return a*0+b.length>0?a:b};var v0=f0(1,'x');")
	h.press("]")
	next := string(oneLineJS(1<<20 + 40)[1<<20:])
	h.contains("page 2 of 8: bytes 1.0 MB to 2.0 MB; ] shows the next page, [ the one before", next)
	h.press("[")
	h.contains("page 1 of 8")
	h.press("[")
	h.contains("this is the body's first page")
	h.press(strings.Repeat("]", 12)) // faster than pages are laid out: never past the last
	if strings.Contains(h.text(), "ends before it") {
		t.Errorf("the page keys ran past the body's end:\n%s", h.text())
	}
	h.typeText("[[[[")
	h.quits()
}

// TestGzipBombSaysItDecodesToMore: the Body tab of a bomb decodes one page
// and says the body decodes to more; the next page is the next MiB.
func TestGzipBombSaysItDecodesToMore(t *testing.T) {
	db, _, _ := bigBodies(t)
	h := start(t, Options{Reader: db}, 160, 40)
	h.press("m", down(lineBomb), tcell.KeyEnter, "5", "z")
	h.contains("decoded the first 1.0 MB; the body decodes to more: ] shows the next 1.0 MB", "[", "  {", `    "a": 1`)
	h.press("]")
	h.contains("page 2: decoded bytes 1.0 MB to 2.0 MB; ] shows the next page, [ the one before", `    "a": 1`)
}

// TestHTMLWithLineBreaksIsIndented: HTML that has a few line breaks of its
// own is indented by its tags all the same.
func TestHTMLWithLineBreaksIsIndented(t *testing.T) {
	db, _, _ := bigBodies(t)
	h := start(t, Options{Reader: db}, 160, 40)
	h.press("m", down(lineHTML), tcell.KeyEnter, "5", "z")
	h.contains("<html>\n", "\n  <head>\n", "\n      Shop\n", "\n      <ul>\n", "\n          one\n", "\n</html>\n")
}

// TestLiveNewFlowsLeaveTheBodyBe: in live mode, flows arriving while a big
// body is shown do not lay it out again (issue 15: it was laid out again
// for every new flow, and quitting waited 13 s).
func TestLiveNewFlowsLeaveTheBodyBe(t *testing.T) {
	db, s, w := bigBodies(t)
	h, a := startApp(t, Options{Reader: db, SessionID: s.ID, Live: true, Poll: 5 * time.Millisecond}, 160, 40)
	h.press("m", down(lineBigJS), tcell.KeyEnter, "5", "z")
	h.contains("function f0(a,b)")
	var before int
	onUI(a, func(a *app) { before = a.detail.laidOut })
	for i := int64(5); i <= 7; i++ {
		w.RecordFlow(get(i, 0, 1, "https://shop.test/new.txt", 200, float64(i*100), float64(i*100+5)))
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	storetest.Eventually(t, 10*time.Second, "the new flows to appear at the next poll", func() bool {
		h.sync()
		return strings.Contains(h.text(), "7 flows")
	})
	var after int
	onUI(a, func(a *app) { after = a.detail.laidOut })
	if after != before {
		t.Errorf("the body was laid out %d times more as 3 flows arrived", after-before)
	}
	h.contains("function f0(a,b)", "flow #2")
	h.quits()
}

// TestHeavyFlowIsLaidOutInTheBackground: the tab of a heavy flow is not
// laid out where it is asked for (the UI goroutine): the pane says it is
// being laid out, and the lines come back as a result the loop applies.
// A light flow's tab is laid out at once.
func TestHeavyFlowIsLaidOutInTheBackground(t *testing.T) {
	s := tcell.NewSimulationScreen("UTF-8")
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	defer s.Fini()
	a := newApp(context.Background(), Options{Reader: panicky{}}, s)
	light := render.FlowDetail{Flow: get(1, 0, 1, "https://shop.test/small.txt", 200, 0, 5)}
	if lines, done := a.layOut("light", tabBody, 80, light); !done || len(lines) == 0 || a.detail.job.key != "" {
		t.Errorf("a light flow: done %v, %d lines, job %q", done, len(lines), a.detail.job.key)
	}
	heavy := render.FlowDetail{Flow: bigFlow(2, "https://cdn.shop.test/app.min.js", "application/javascript", "", oneLineJS(2<<20))}
	lines, done := a.layOut("heavy", tabBody, 80, heavy)
	if done || !strings.Contains(text(lines), "laying out page 1 of the body…") || a.detail.job.key != "heavy" || !a.busy() {
		t.Fatalf("a heavy flow: done %v, job %q, lines:\n%s", done, a.detail.job.key, text(lines))
	}
	(<-a.results)(a)
	if a.detail.linesKey != "heavy" || !strings.Contains(text(a.detail.lines), "page 1 of 2: the first 1.0 MB") || !a.detail.more || a.busy() {
		t.Errorf("after the layout: key %q, more %v, busy %v, lines:\n%s", a.detail.linesKey, a.detail.more, a.busy(), text(a.detail.lines))
	}
	// Laid out again (the connections were read): the lines on screen stay
	// meanwhile, with no frame of "laying out…".
	lines, done = a.layOut("heavy, again", tabBody, 80, heavy)
	if done || strings.Contains(text(lines), "laying out") || !strings.Contains(text(lines), "page 1 of 2") {
		t.Errorf("laid out again: done %v, lines:\n%s", done, text(lines))
	}
	(<-a.results)(a)
}

func text(lines []render.Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Text() + "\n")
	}
	return b.String()
}
