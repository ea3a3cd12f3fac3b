package inspector

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
	"github.com/glassbox-dev/glassbox/store/storetest"
)

// Lines of the fixture's list in pages mode, top to bottom.
const (
	linePage1 = 0
	lineDoc   = 1  // flow 1, https://shop.test/
	lineCSS   = 2  // flow 2, opened connection 2
	lineFont  = 7  // flow 7, initiated by the stylesheet (flow 2)
	linePost  = 9  // flow 10, POST /cart
	lineCart  = 15 // flow 14, reached by the redirect of flow 13
	lineProbe = 18 // flow 12, the browser's own, after the page loads, once its group (folded) is opened
)

func down(n int) string { return strings.Repeat("j", n) }

// goldenExports is the export folder golden screens show at start: a
// fixed name (a temporary directory's would change every run), never
// written, as golden tests export nothing.
const goldenExports = "/tmp/glassbox-golden/exports"

// fixtureOpts opens the fixture for a golden screen.
func fixtureOpts(t *testing.T) Options {
	return Options{Reader: newFixture(t).db, ExportDir: goldenExports}
}

func TestGoldenList(t *testing.T) {
	h := start(t, fixtureOpts(t), 120, 40)
	h.golden("list")
	h.contains("session 2", "15 flows · 3 pages", "INITIATOR", "▾ Shop: Home", "▾ Your cart", "html #1?", "css #2", "▾ frame  https://ads.test/frame.html",
		"404 image", "ERR script", "#1 · 11 req")
}

func TestGoldenStory(t *testing.T) {
	h := start(t, fixtureOpts(t), 120, 40)
	h.press(down(linePost), tcell.KeyEnter, "z")
	h.golden("story")
	h.contains("#10 POST https://api.shop.test/cart", "Notes", "This request, step by step", "3. The request",
		"Why: A script of the page asked for it (the Referer is the page, https://shop.test/)")
}

func TestGoldenTiming(t *testing.T) {
	h := start(t, fixtureOpts(t), 120, 40)
	h.press(down(lineCSS), tcell.KeyEnter, tcell.KeyTab, "z")
	h.golden("timing")
	h.contains("Where the time went", "DNS          0.1 ms", "TLS          3.1 ms", "new connection #2")
}

func TestGoldenWaterfall(t *testing.T) {
	h := start(t, fixtureOpts(t), 120, 40)
	h.press(down(linePage1), "w")
	h.golden("waterfall")
	h.contains("Waterfall of page #1: Shop: Home", "queued", "receive", "api.shop.test/cart", "239 ms")
	h.press(tcell.KeyEsc)
	if strings.Contains(h.text(), "Waterfall of page") {
		t.Error("Esc did not close the waterfall")
	}
}

func TestGoldenFilter(t *testing.T) {
	h := start(t, fixtureOpts(t), 120, 40)
	h.press("/status:4xx")
	h.golden("filter")
	h.press(tcell.KeyEnter)
	h.contains("1 of 15 flows", "/img/missing.png", "1 flow matches status:4xx")
	if strings.Contains(h.text(), "/app.css") {
		t.Error("the filter left a 200 in the list")
	}
	// A bad term explains itself on the line and leaves the list alone.
	h.press("/", tcell.KeyCtrlU, "stauts:4")
	h.contains(`✗ stauts:4: unknown key "stauts"`)
	h.press(tcell.KeyEnter) // refused while the error stands
	h.contains("/stauts:4")
	h.press(tcell.KeyEsc) // restores the filter in force before
	h.contains("filter: status:4xx", "/img/missing.png")
	h.press(tcell.KeyEsc) // in the list, Esc clears the filter
	h.contains("15 flows · 3 pages", "/app.css")
}

func TestGoldenHelp(t *testing.T) {
	h := start(t, fixtureOpts(t), 120, 40)
	h.press("?")
	h.golden("help")
	h.contains("Tab", "next detail tab", "list, detail, screens, session picker")
	h.press("GG")
	h.contains("Phases of a request", "Downloading")
	h.press("?")
	h.contains("METHOD  ST") // back to the list
	h.press("s")
	h.contains("Status codes: the first digit is the class", "5xx Server Error", "Every code, in one line", "100 Continue: ")
	h.press("G") // every registered code has its line, to the last
	h.contains("511 Network Authentication Required: ")
}

// An 80x24 terminal without colours: everything fits, nothing is coloured.
func TestNarrowWithoutColour(t *testing.T) {
	h := start(t, Options{Reader: newFixture(t).db, NoColor: true}, 80, 24)
	h.press(down(lineDoc), tcell.KeyTab)
	h.golden("narrow-mono")
	cells, _, _ := h.s.contents()
	for i, c := range cells {
		if fg, bg, _ := c.Style.Decompose(); fg != tcell.ColorDefault || bg != tcell.ColorDefault {
			t.Fatalf("cell %d (%q) has colours %v on %v without colour", i, string(c.Runes), fg, bg)
		}
	}
	h.contains("  d  ", " c  ", "ss", "=====", "#####") // phases told apart by their characters
}

func TestModesAndSort(t *testing.T) {
	h := start(t, Options{Reader: newFixture(t).db}, 120, 40)
	h.press("m")
	h.contains("list: flat")
	if strings.Contains(h.text(), "▾ Shop") {
		t.Error("flat mode still shows page groups")
	}
	h.press("m")
	h.contains("list: host tree", "▾ shop.test", "▾ /img/")
	h.press("m", "o")
	h.contains("sorted by duration ↓")
	h.press("O")
	h.contains("sorted by duration ↑")
}

func TestPageStoryAndFold(t *testing.T) {
	h := start(t, Options{Reader: newFixture(t).db}, 120, 40)
	h.press(down(linePage1), " ") // Space folds the page
	h.contains("▸ Shop: Home")
	if strings.Contains(h.text(), "/img/logo.png") {
		t.Error("the folded page still lists its flows")
	}
	h.press("l")
	h.contains("▾ Shop: Home", "/img/logo.png", "1 Story  2 Waterfall")
	h.press(tcell.KeyEnter, "z", "G") // into the page's details, all of the pane, to the end
	h.contains("Problems", "GET https://missing.test/tracker.js", "Slowest")
	h.press("g") // the diagnosis opens the Story, the numbered story follows
	h.contains("Why this page took its time", "The critical path", "] and [ go to each finding's flows")
	for i := 0; i < 10 && !strings.Contains(h.text(), "What happened, step by step"); i++ {
		h.press(tcell.KeyPgDn)
	}
	h.contains("What happened, step by step", "1. ")
	h.press("2")
	h.contains("queued", "api.shop.test/cart", "ads.test/ad.js")
	// ] walks the findings' flows: the first finding's first flow, then on.
	h.press(tcell.KeyEsc, "]")
	h.contains("finding 1 of ")
	h.press("]", "[")
	h.contains("finding 1 of ")
}

func TestTabsOfAFlow(t *testing.T) {
	h := start(t, Options{Reader: newFixture(t).db}, 120, 40)
	h.press(down(lineDoc), tcell.KeyEnter, "z", "3")
	h.contains("Request line", ":method GET  :path /", "Cookie: session=abc123; theme=dark")
	h.press("G")
	h.contains("Cookies sent (2)", "theme = dark")
	h.press("4")
	h.contains(":status 200", "2xx Success") // HTTP/2 has no status line
	h.press("G")
	h.contains("Cookies set (1)", "SameSite=Lax")
	h.press("5")
	h.contains("compressed with gzip", "decoded for display", "<title>", "Shop: Home")
	h.press("6")
	h.contains("Connection #1 to shop.test:443", "asked of the resolver 127.0.0.53:53", "TLS 1.3", "CN=Test Root CA")
	h.press(tcell.KeyBacktab)
	h.contains("Body")
	h.press(tcell.KeyEsc, tcell.KeyEsc, down(3), tcell.KeyEnter, "z", "5") // the logo: an image described
	h.contains("a PNG image, 16 x 8 pixels")
	h.press(tcell.KeyEsc, tcell.KeyEsc, down(3), tcell.KeyEnter, "z", "5") // the font: hex
	h.contains("binary data, as hex", "77 4f 46 32")
}

func TestMouse(t *testing.T) {
	h := start(t, Options{Reader: newFixture(t).db}, 120, 40)
	// Row 2 of the screen is list line 0 (row 0: header, row 1: columns).
	h.s.InjectMouse(10, 2+lineCSS, tcell.Button1, tcell.ModNone)
	h.s.InjectMouse(10, 2+lineCSS, tcell.ButtonNone, tcell.ModNone)
	h.sync()
	h.contains("flow #2")
	// The tab bar sits under the 16-line list: click "3 Request".
	h.s.InjectMouse(25, 17, tcell.Button1, tcell.ModNone)
	h.s.InjectMouse(25, 17, tcell.ButtonNone, tcell.ModNone)
	h.sync()
	h.contains("Request line", ":method GET  :path /app.css")
	// The wheel over the list scrolls it.
	h.s.InjectMouse(10, 5, tcell.WheelDown, tcell.ModNone)
	h.sync()
	if strings.Contains(strings.Split(h.text(), "\n")[2], "Shop: Home") {
		t.Error("the wheel did not scroll the list")
	}
}

func TestResize(t *testing.T) {
	h := start(t, Options{Reader: newFixture(t).db}, 120, 40)
	h.s.SetSize(80, 24)
	h.sync()
	lines := strings.Split(h.text(), "\n")
	if len(lines) < 24 || !strings.Contains(lines[23], "help") || !strings.Contains(lines[0], "session 2") {
		t.Errorf("after resizing to 80x24:\n%s", h.text())
	}
	h.s.SetSize(200, 60)
	h.sync()
	h.contains("│─ 1 Story") // side by side from 160 columns
	h.s.SetSize(30, 8)
	h.sync()
	h.contains("glassbox needs 40x10")
}

func TestExportAndCurlFromTheList(t *testing.T) {
	dir := t.TempDir()
	h := start(t, Options{Reader: newFixture(t).db, ExportDir: dir, Version: "test"}, 120, 40)
	h.press(down(linePost), "c")
	path := filepath.Join(dir, "glassbox-s2-flow-10.sh")
	h.contains("curl for #10", "written to", path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "curl -X POST --http2 https://api.shop.test/cart") ||
		!strings.Contains(string(data), `--data-binary '{"sku":"A-1","qty":2}'`) {
		t.Errorf("curl file:\n%s", data)
	}
	if clip := string(h.s.GetClipboardData()); !strings.HasPrefix(clip, "curl -X POST") {
		t.Errorf("clipboard (OSC 52) holds %q", clip)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("curl file mode %v", st.Mode())
	}

	h.press("e")
	var doc struct {
		Log struct {
			Pages   []struct{ ID, Title string }
			Entries []struct{ Pageref string }
		}
	}
	readJSON(t, filepath.Join(dir, "glassbox-s2-page-1.har"), &doc)
	if len(doc.Log.Pages) != 1 || doc.Log.Pages[0].Title != "Shop: Home" || len(doc.Log.Entries) != 11 {
		t.Errorf("page export: %d pages, %d entries", len(doc.Log.Pages), len(doc.Log.Entries))
	}
	h.press("r")
	h.contains("HTML report")
	html, err := os.ReadFile(filepath.Join(dir, "glassbox-s2-page-1.html"))
	if err != nil || !strings.Contains(string(html), "<html") || !strings.Contains(string(html), "Shop: Home") {
		t.Errorf("page report: %v\n%.300s", err, html)
	}
	h.press("/status>=400", tcell.KeyEnter, "E")
	readJSON(t, filepath.Join(dir, "glassbox-s2.har"), &doc)
	if len(doc.Log.Entries) != 2 {
		t.Errorf("filtered session export has %d entries, want the 404 and the 500", len(doc.Log.Entries))
	}
	h.contains("(2 flows, HAR")
}

// Exports never replace a file: the same key twice writes name-2; at 80
// and at 40 columns the status line still shows the whole path (issue 19).
func TestExportsNeverOverwriteAndShowTheirPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a folder with a rather long name to show", "exports")
	h := start(t, Options{Reader: newFixture(t).db, ExportDir: dir}, 80, 24)
	if !strings.Contains(screenJoined(h), "exports go to") || !strings.Contains(screenJoined(h), dir) { // shown at start
		t.Errorf("the export folder is not shown at start:\n%s", h.text())
	}
	h.press("e")
	first := filepath.Join(dir, "glassbox-s2-page-1.har")
	h.press("e")
	second := filepath.Join(dir, "glassbox-s2-page-1-2.har")
	for _, p := range []string{first, second} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(screenJoined(h), second) {
		t.Errorf("the screen does not show %s:\n%s", second, h.text())
	}
	h.s.SetSize(40, 24)
	h.press("j", "c")
	if !strings.Contains(screenJoined(h), filepath.Join(dir, "glassbox-s2-flow-1.sh")) {
		t.Errorf("at 40 columns the curl file's path is cut:\n%s", h.text())
	}
}

// screenJoined is the screen's lines joined with nothing between them, so
// a path wrapped over lines reads whole.
func screenJoined(h *harness) string { return strings.ReplaceAll(h.text(), "\n", "") }

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestSessionsSwitchAndDelete(t *testing.T) {
	fx := newFixture(t)
	h := start(t, Options{Reader: fx.db, Deleter: fx.db}, 120, 40)
	h.press("S")
	h.contains("Sessions: Enter opens", "▶ 2", "  1 ")
	h.press("j", tcell.KeyEnter)
	h.contains("session 1", "1 flow · 0 pages", "old.test")
	h.press("S")
	h.press("k", "d")
	h.contains("Delete session 2 (15 flows, 3 pages)? This cannot be undone. [y/n]")
	h.press("n")
	h.contains("nothing changed")
	h.press("d", "y")
	h.contains("deleted session 2")
	list, err := fx.db.Sessions(context.Background())
	if err != nil || len(list) != 1 || list[0].ID != 1 {
		t.Errorf("sessions after delete: %+v %v", list, err)
	}
}

// Live: flows recorded while the inspector runs appear without moving
// the selection; the session being recorded cannot be deleted.
func TestLiveNewFlowsKeepTheSelection(t *testing.T) {
	fx := newFixture(t)
	stats := store.RecorderStats{Dropped: 3}
	h := start(t, Options{Reader: fx.db, SessionID: fx.session.ID, Live: true, Listen: []string{"127.0.0.1:8080"},
		Poll: 5 * time.Millisecond, Stats: func() store.RecorderStats { return stats }, Deleter: fx.db,
		Logs: func() []string { return []string{"glassbox listening on 127.0.0.1:8080"} }}, 120, 24)
	h.press(down(lineProbe-1), " ", "j") // the list shows 8 lines: page 1's frame is on top
	h.contains("flow #12", "live on 127.0.0.1:8080", "⚠ 3 dropped", "glassbox listening on 127.0.0.1:8080")
	top := strings.Split(h.text(), "\n")[2][:16]

	w := fx.db.NewWriter(fx.session.ID, sqlite.WriterOptions{Block: true})
	w.RecordFlow(get(16, 1, 1, "https://shop.test/again.txt", 200, 5000, 5003)) // lands above the selection, in page 1
	w.RecordFlow(get(17, 3, 1, "https://shop.test/new.js", 200, 5010, 5020))
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	storetest.Eventually(t, 10*time.Second, "the new flows to appear at the next poll", func() bool {
		h.sync()
		return strings.Contains(h.text(), "17 flows")
	})
	h.contains("flow #12", "17 flows")
	if got := strings.Split(h.text(), "\n")[2][:16]; got != top {
		t.Errorf("the top line moved from %q to %q", top, got)
	}
	h.press("S")
	h.press("d")
	h.contains("session 2 is being recorded now")
}

// A panic anywhere, background work included, restores the terminal
// before it is re-raised.
func TestPanicRestoresTheTerminal(t *testing.T) {
	s := &finiCounter{SimulationScreen: tcell.NewSimulationScreen("UTF-8")}
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	fx := newFixture(t)
	got := make(chan any, 1)
	go func() {
		defer func() { got <- recover() }()
		Run(context.Background(), Options{Reader: panicky{fx.db}, Screen: s})
	}()
	select {
	case r := <-got:
		if r == nil || !strings.Contains(r.(string), "boom in Flows") {
			t.Fatalf("recovered %v, want the background panic", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not panic")
	}
	if s.finis != 1 {
		t.Errorf("Fini called %d times before the panic went on", s.finis)
	}
}

type finiCounter struct {
	tcell.SimulationScreen
	finis int
}

func (f *finiCounter) Fini() {
	f.finis++
	f.SimulationScreen.Fini()
}

type panicky struct{ store.Reader }

func (panicky) Flows(context.Context, store.FlowQuery) ([]store.Flow, error) { panic("boom in Flows") }

// body:TEXT searches the decoded bodies in the background: the gzipped
// home page, a request body, a response body (issue 19, item 3).
func TestBodyFilter(t *testing.T) {
	h := start(t, fixtureOpts(t), 120, 40)
	h.press("/body:database", tcell.KeyEnter)
	h.contains("1 of 15 flows", "/api/cart.json", "1 flow matches body:database (bodies of 15 flows searched in")
	h.press("/", tcell.KeyCtrlU, `body~sku\W+A-\d`, tcell.KeyEnter)
	h.contains("1 of 15 flows", "POST", "/cart")
	h.press("/", tcell.KeyCtrlU, "body:<title>", tcell.KeyEnter) // inside gzip
	h.contains("2 of 15 flows", "Shop: Home")
	h.press(tcell.KeyEsc)
	h.contains("15 flows · 3 pages")
}

// M marks, a comments (on a flow and on a page load), d deletes one flow
// after asking; all stored, shown, and filtered by (issue 19, item 4).
// Without an Annotator the keys say why they cannot.
func TestMarkCommentDelete(t *testing.T) {
	h, fx := startWritable(t, 120, 40)
	h.press(down(lineCSS), "M")
	h.contains("marked #2", "★ marked")
	h.press("a", "why so late?", tcell.KeyEnter)
	h.contains("comment on #2 saved", "✎ your comment: why so late?")
	h.press("g", "a", "the home page", tcell.KeyEnter) // the page load on line 0
	h.contains("comment on page load #1 saved", "✎ your comment: the home page")
	h.press("/marked", tcell.KeyEnter)
	h.contains("1 of 15 flows", "/app.css")
	h.press(tcell.KeyEsc, "j", "j", "d")
	h.contains("Delete #2 GET https://cdn.shop.test/app.css from the database?")
	h.press("y")
	h.contains("deleted #2", "14 flows")
	notes, err := fx.db.Annotations(context.Background(), fx.session.ID)
	if err != nil || len(notes) != 1 || notes[0].PageID != 1 || notes[0].Comment != "the home page" {
		t.Errorf("stored annotations after deleting #2: %v %+v", err, notes)
	}
	if _, err := fx.db.Flow(context.Background(), fx.session.ID, 2); err == nil {
		t.Error("flow 2 is still in the database")
	}

	ro := start(t, fixtureOpts(t), 120, 40)
	ro.press("j", "M")
	ro.contains("open read-only: marks, comments and deleting need")
}

// One Esc from a zoomed detail pane is back in the list, unzoomed (issue
// 19, item 5: it only unzoomed).
func TestEscFromZoomReturnsToTheList(t *testing.T) {
	h := start(t, fixtureOpts(t), 120, 40)
	h.press(down(lineCSS), tcell.KeyEnter, "z")
	if strings.Contains(h.text(), "METHOD  ST") {
		t.Fatal("the zoomed detail pane still shows the list")
	}
	h.press(tcell.KeyEsc)
	h.contains("METHOD  ST", "Enter  details") // the list is back, and has the keys
	h.press("j")                               // moves the list's selection, not the details' scroll
	h.contains("flow #3")
}

// A question is read whole at 80 columns: it wraps instead of being cut.
func TestQuestionWrapsAt80(t *testing.T) {
	h, _ := startWritable(t, 80, 24)
	h.press(down(linePost), "d")
	h.contains("Delete #10 POST https://api.shop.test/cart from the database?", "undone. [y/n]")
	h.press("n")
	h.contains("nothing changed")
}

// startWritable opens the fixture with marks, comments and deleting on.
func startWritable(t *testing.T, w, ht int) (*harness, *fixture) {
	fx := newFixture(t)
	opts := fixtureOpts(t)
	opts.Reader, opts.Annotator = fx.db, fx.db
	return start(t, opts, w, ht), fx
}
