package export_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/glassbox-dev/glassbox/inspector/export"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// received is what a loopback origin was sent, in order.
type received struct {
	mu     sync.Mutex
	bodies [][]byte
	paths  []string
}

func (rc *received) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.bodies = append(rc.bodies, b)
	rc.paths = append(rc.paths, r.URL.RequestURI())
	rc.mu.Unlock()
}

// hostileFlows are what pages (a POST body is any bytes a script chooses)
// and imported HAR files (any method, URL, header) can put in a session:
// each tries to run `touch MARKER` when the curl export runs.
func hostileFlows(origin, marker string) (flows []*store.Flow, bodies [][]byte) {
	bodies = [][]byte{
		[]byte("\x00'; touch " + marker + "; echo injected #"), // the payload: broke bash's $'...' under dash
		[]byte("$(touch " + marker + ")`touch " + marker + "`"),
		[]byte("@" + marker), // curl would send the file of that name instead
		{0x9b, '2', 'J', 0x1b, ']', '5', '2', ';', 0xff, '\n', '\n'},
	}
	for i, b := range bodies {
		flows = append(flows, &store.Flow{ID: int64(i + 1), Kind: store.KindHTTP, Method: "POST", URL: origin + "/post", Proto: "HTTP/1.1",
			ReqHeaders: store.Headers{{Name: "X-Test", Value: "it's $(touch " + marker + ") `touch " + marker + "`"}},
			ReqBody:    store.Body{Data: b, Size: int64(len(b))}, Status: 200, Start: start, End: start.Add(time.Millisecond)})
	}
	// An imported file's newline in the URL and method (the comment line
	// above each command once carried them raw) and controls in a header
	// (the origin refuses that request: no field value holds an ESC).
	flows = append(flows,
		&store.Flow{ID: 5, Kind: store.KindHTTP, Method: "GET", URL: origin + "/get\ntouch " + marker + "\n#", Start: start},
		&store.Flow{ID: 6, Kind: store.KindHTTP, Method: "GET\ntouch " + marker, URL: origin + "/x", Start: start},
		&store.Flow{ID: 7, Kind: store.KindHTTP, Method: "GET", URL: origin + "/h", Start: start,
			ReqHeaders: store.Headers{{Name: "X-Esc", Value: "\x1b[2J'\n; touch " + marker}}})
	return flows, bodies
}

// The exported curl script, run under dash, bash and zsh against a
// loopback origin, sends each body exactly and runs nothing else.
func TestCurlScriptDeliversExactBytes(t *testing.T) {
	rc := &received{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("SKIPPED: curl is not installed, so the exported script was not run (apt-get install curl; CI installs it)")
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "MARKER")
	flows, bodies := hostileFlows(srv.URL, marker)
	script := filepath.Join(dir, "replay.sh")
	if _, err := export.WriteFile(context.Background(), sessionOf(t, nil, flows), script,
		export.Options{Format: export.FormatCurl, NoRedact: true}); err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(script)
	checkTerminalSafe(t, "curl script", text, "\n")
	for _, sh := range []string{"dash", "bash", "zsh"} {
		path, err := exec.LookPath(sh)
		if err != nil {
			t.Logf("%s not installed: not tried", sh)
			continue
		}
		t.Run(sh, func(t *testing.T) {
			rc.mu.Lock()
			rc.bodies, rc.paths = nil, nil
			rc.mu.Unlock()
			cmd := exec.Command(path, script)
			cmd.Dir = dir
			cmd.Env = []string{"PATH=" + filepath.Dir(curl) + ":/usr/bin:/bin", "HOME=" + dir}
			out, _ := cmd.CombinedOutput() // the URL with a newline makes curl fail: that is fine
			if _, err := os.Stat(marker); err == nil {
				os.Remove(marker)
				t.Fatalf("the script ran an injected command:\n%s\n%s", text, out)
			}
			rc.mu.Lock()
			defer rc.mu.Unlock()
			if len(rc.bodies) < len(bodies) {
				t.Fatalf("origin got %d requests, want at least %d:\n%s", len(rc.bodies), len(bodies), out)
			}
			for i, want := range bodies {
				if !bytes.Equal(rc.bodies[i], want) {
					t.Errorf("body %d: origin got %q, want %q", i+1, rc.bodies[i], want)
				}
			}
		})
	}
}

// sessionOf records pages and flows in a new database, in a session
// imported from a file whose name holds OSC 52, and returns it.
func sessionOf(t *testing.T, pages []*store.Page, flows []*store.Flow) store.Reader {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sess, err := db.StartSession(ctx, store.Session{Started: start, Source: "import:\x1b]52;c;aGk=\x07evil.har"})
	if err != nil {
		t.Fatal(err)
	}
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	for _, p := range pages {
		w.RecordPage(p)
	}
	for _, f := range flows {
		w.RecordFlow(f)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// checkTerminalSafe fails for any byte a terminal acts on: a C0 control
// but those in allowed, DEL, a C1 control as UTF-8, or a byte that is not
// UTF-8 (a raw C1 among them).
func checkTerminalSafe(t *testing.T, what string, out []byte, allowed string) {
	t.Helper()
	for i := 0; i < len(out); {
		c := out[i]
		if c < 0x20 && !bytes.ContainsRune([]byte(allowed), rune(c)) || c == 0x7f {
			t.Fatalf("%s: control byte %#x at %d: %q", what, c, i, out[max(0, i-40):min(len(out), i+40)])
		}
		r, size := rune(c), 1
		if c >= 0x80 {
			r, size = utf8.DecodeRune(out[i:])
			if r == 0xfffd && size == 1 || r >= 0x80 && r <= 0x9f {
				t.Fatalf("%s: %U (%d bytes) at %d: %q", what, r, size, i, out[max(0, i-40):min(len(out), i+40)])
			}
		}
		i += size
	}
}
