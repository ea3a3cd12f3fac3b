package main_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
	"github.com/glassbox-dev/glassbox/store/storetest"
)

// recordForInspect writes a small recorded session the way the proxy
// does (through the SQLite writer): a page load with a stylesheet, a
// missing image (404) and a failed lookup, and a second page.
func recordForInspect(t *testing.T, path string) {
	t.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	sess, err := db.StartSession(ctx, store.Session{Started: t0, Listen: "127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	w.RecordLookup(&store.Lookup{ID: 1, Name: "shop.test", Source: "network", Server: "127.0.0.53:53", Start: ms(0), End: ms(2),
		Answers: []store.DNSAnswer{{Type: "A", Addr: "10.0.0.10", TTL: 300}}})
	w.RecordConn(&store.Conn{ID: 1, Host: "shop.test", Port: "443", RemoteAddr: "10.0.0.10:443", LookupID: 1,
		DNSStart: ms(0), DNSEnd: ms(2), ConnectStart: ms(2), ConnectEnd: ms(3), TLSStart: ms(3), TLSEnd: ms(8),
		TLS: &store.TLSInfo{Version: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", ALPN: "h2", SNI: "shop.test"}})
	w.RecordPage(&store.Page{ID: 1, FlowID: 1, URL: "https://shop.test/", Title: "Shop: Home", Start: ms(0)})
	w.RecordPage(&store.Page{ID: 2, FlowID: 5, URL: "https://shop.test/cart", Title: "Your cart", Start: ms(2000)})
	flow := func(id, page int64, url string, status, start, end int, typ string) *store.Flow {
		return &store.Flow{ID: id, PageID: page, ConnID: 1, ConnReused: id > 1, Kind: store.KindHTTP, MITM: true, Method: "GET",
			URL: url, Proto: "HTTP/2.0", RespProto: "HTTP/2.0", Status: status, ResourceType: typ,
			ReqHeaders:  store.Headers{{Name: "Accept", Value: "*/*"}},
			RespHeaders: store.Headers{{Name: "Content-Type", Value: "text/html"}},
			RespBody:    store.Body{Data: []byte("<title>x</title>"), Size: 16},
			Start:       ms(start), GotConn: ms(start + 8), WroteRequest: ms(start + 9), FirstByte: ms(end - 2), End: ms(end)}
	}
	w.RecordFlow(flow(1, 1, "https://shop.test/", 200, 0, 60, "document"))
	w.RecordFlow(flow(2, 1, "https://shop.test/app.css", 200, 70, 90, "stylesheet"))
	w.RecordFlow(flow(3, 1, "https://shop.test/img/missing.png", 404, 72, 80, "image"))
	dns := flow(4, 1, "https://missing.test/tracker.js", 0, 75, 76, "script")
	dns.ConnID, dns.GotConn, dns.WroteRequest, dns.FirstByte, dns.RespHeaders, dns.RespBody = 0, time.Time{}, time.Time{}, time.Time{}, nil, store.Body{}
	dns.Error = &store.FlowError{Phase: store.PhaseDNS, Kind: "nxdomain", Message: "lookup missing.test: no such host"}
	w.RecordFlow(dns)
	w.RecordFlow(flow(5, 2, "https://shop.test/cart", 200, 2000, 2100, "document"))
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.EndSession(ctx, sess.ID, ms(3000)); err != nil {
		t.Fatal(err)
	}
}

// tmuxPane is a program running in a detached tmux session of its own
// server (-L), so the test never touches a user's tmux.
type tmuxPane struct {
	t      *testing.T
	tmux   string
	socket string
}

func (p *tmuxPane) run(args ...string) string {
	p.t.Helper()
	out, err := exec.Command(p.tmux, append([]string{"-L", p.socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (p *tmuxPane) keys(keys ...string) {
	p.run(append([]string{"send-keys", "-t", "inspect"}, keys...)...)
}
func (p *tmuxPane) text(s string) { p.run("send-keys", "-t", "inspect", "-l", s) }

// waitFor captures the pane until it shows all of want (a terminal has no
// "drawn" signal: poll what it shows), and logs the last screen if it never
// does.
func (p *tmuxPane) waitFor(want ...string) (screen string) {
	p.t.Helper()
	shows := func() bool {
		screen = p.run("capture-pane", "-p", "-t", "inspect")
		for _, w := range want {
			if !strings.Contains(screen, w) {
				return false
			}
		}
		return true
	}
	defer func() {
		if p.t.Failed() {
			p.t.Logf("the pane showed:\n%s", screen)
		}
	}()
	storetest.Eventually(p.t, 15*time.Second, fmt.Sprintf("the pane to show %q", want), shows)
	return screen
}

// The real binary in a real terminal (tmux, 120x40): open a recorded
// database, move, open a flow's details and its timing, filter, read the
// help, quit, and find the terminal as it was.
func TestInspectUnderTmux(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("SKIPPED: tmux is not installed, so the end-to-end test of glassbox inspect did not run (apt-get install tmux); the inspector's simulation-screen tests still cover the screens")
	}
	home := t.TempDir()
	dbPath := filepath.Join(home, "capture.db")
	recordForInspect(t, dbPath)
	p := &tmuxPane{t: t, tmux: tmux, socket: fmt.Sprintf("glassbox-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { exec.Command(tmux, "-L", p.socket, "kill-server").Run() })

	// The shell line after the inspector shows how it ended, and keeps the
	// pane open to look at the terminal it left behind.
	script := fmt.Sprintf("GLASSBOX_HOME=%s %s inspect --db %s; echo \"inspect exited with $?\"; sleep 60", home, binary, dbPath)
	p.run("new-session", "-d", "-s", "inspect", "-x", "120", "-y", "40", "sh", "-c", script)

	screen := p.waitFor("glassbox │ recorded", "session 1", "5 flows · 2 pages", "▾ Shop: Home", "▾ Your cart")
	for _, want := range []string{"/img/missing.png", "404", "ERR", "missing.test", "1 Story  2 Waterfall", "?  help", "q  quit"} {
		if !strings.Contains(screen, want) {
			t.Errorf("first screen lacks %q:\n%s", want, screen)
		}
	}

	p.keys("j")
	p.waitFor("flow #1", "#1 GET https://shop.test/", "Notes")
	p.keys("Enter", "Tab")
	p.waitFor("Where the time went", "DNS lookup", "TLS handshake", "Waiting (time to first byte)", "new connection #1")

	p.keys("Escape")
	p.waitFor("Enter  details") // back in the list (and the Escape read alone, not as Alt-/)
	p.text("/status:4xx")
	p.keys("Enter")
	screen = p.waitFor("1 of 5 flows", "1 flow matches status:4xx")
	if strings.Contains(screen, "/app.css") {
		t.Errorf("the filter left a 200 on screen:\n%s", screen)
	}

	p.text("?")
	p.waitFor("glassbox inspector: keys and words", "next detail tab")

	p.keys("q") // closes the help
	p.waitFor("1 of 5 flows")
	p.keys("q")
	screen = p.waitFor("inspect exited with 0")
	if strings.Contains(screen, "glassbox │") || strings.Contains(screen, "Shop: Home") {
		t.Errorf("the inspector's screen stayed behind after quitting:\n%s", screen)
	}
}

// At 80x24, e exports the selected page load into the export folder (not
// the working directory), says where at full length, and a second e
// writes a second file beside the first: the test reads the path off the
// screen and opens it (issue 19).
func TestInspectExportUnderTmux(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("SKIPPED: tmux is not installed, so the end-to-end test of the export key did not run (apt-get install tmux)")
	}
	home, cwd := t.TempDir(), t.TempDir()
	dbPath := filepath.Join(home, "capture.db")
	recordForInspect(t, dbPath)
	p := &tmuxPane{t: t, tmux: tmux, socket: fmt.Sprintf("glassbox-export-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { exec.Command(tmux, "-L", p.socket, "kill-server").Run() })
	script := fmt.Sprintf("cd %s && GLASSBOX_HOME=%s %s inspect --db %s; echo \"inspect exited with $?\"; sleep 60", cwd, home, binary, dbPath)
	p.run("new-session", "-d", "-s", "inspect", "-x", "80", "-y", "24", "sh", "-c", script)

	dir := filepath.Join(home, "exports")
	screen := p.waitFor("exports go to", "▾ Shop: Home")
	if !strings.Contains(strings.ReplaceAll(screen, "\n", ""), dir) {
		t.Errorf("the first screen does not name the export folder %s:\n%s", dir, screen)
	}
	var paths []string
	for i, want := range []string{"glassbox-s1-page-1.har", "glassbox-s1-page-1-2.har"} {
		p.keys("e")
		screen = p.waitFor("wrote page load #1", want)
		path := shownPath(screen, "wrote page load #1")
		if filepath.Base(path) != want || filepath.Dir(path) != dir {
			t.Errorf("export %d: the screen shows %q, want %s in %s:\n%s", i+1, path, want, dir, screen)
		}
		data, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(data, []byte("Shop: Home")) {
			t.Errorf("export %d at the path shown: %v\n%.300s", i+1, err, data)
		}
		paths = append(paths, path)
		p.keys("j") // a key clears the message, so the next one is new
	}
	if len(paths) == 2 && paths[0] == paths[1] {
		t.Error("the second export replaced the first")
	}
	if left, _ := os.ReadDir(cwd); len(left) > 0 {
		t.Errorf("the export wrote into the working directory: %v", left)
	}
	p.keys("q")
	p.waitFor("inspect exited with 0")
}

// shownPath is the file path the status line shows after the line that
// begins with head: it starts on a line of its own and runs over as many
// lines as it needs, up to the footer.
func shownPath(screen, head string) string {
	lines := strings.Split(screen, "\n")
	var path strings.Builder
	for i, l := range lines {
		if !strings.HasPrefix(l, head) {
			continue
		}
		for _, next := range lines[i+1:] {
			if strings.HasPrefix(strings.TrimSpace(next), "?  help") || next == "" {
				break
			}
			path.WriteString(next)
		}
		break
	}
	return path.String()
}

// `glassbox` alone in a terminal: the proxy and the live inspector. A
// request sent through the proxy shows up in the list while it runs; q
// stops the proxy cleanly.
func TestLiveUnderTmux(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("SKIPPED: tmux is not installed, so the end-to-end test of the live inspector did not run (apt-get install tmux)")
	}
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "hello from the origin")
	}))
	defer origin.Close()
	home := t.TempDir()
	p := &tmuxPane{t: t, tmux: tmux, socket: fmt.Sprintf("glassbox-live-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { exec.Command(tmux, "-L", p.socket, "kill-server").Run() })
	script := fmt.Sprintf("GLASSBOX_HOME=%s %s --listen 127.0.0.1:0 --dns %s 2>%s/stderr.log; echo \"glassbox exited with $?\"; sleep 60",
		home, binary, loopbackDNS(t), home)
	p.run("new-session", "-d", "-s", "inspect", "-x", "120", "-y", "40", "sh", "-c", script)

	screen := p.waitFor("session 1", "0 flows", "no HTTPS yet: open http://127.0.0.1:")
	m := regexp.MustCompile(`no HTTPS yet: open http://(127\.0\.0\.1:\d+)/ to trust the CA`).FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no listen address in the header:\n%s", screen)
	}
	proxyURL, _ := url.Parse("http://" + m[1])
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}
	resp, err := client.Get(origin.URL + "/live-check")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()
	p.waitFor("/live-check", "1 flow")
	p.keys("L") // the request log: one line per flow, as glassbox proxy prints
	p.waitFor("Proxy log", "#1    GET     "+origin.URL+"/live-check 200")
	p.keys("q")
	p.keys("q")
	p.waitFor("glassbox exited with 0")
	log, _ := os.ReadFile(filepath.Join(home, "stderr.log"))
	if !strings.Contains(string(log), "session 1:") {
		t.Errorf("the shutdown was not logged to stderr after the inspector closed:\n%s", log)
	}
}

// Without a terminal, `glassbox` says so and runs the proxy headless.
func TestLiveWithoutTerminalRunsHeadless(t *testing.T) {
	home := t.TempDir()
	cmd := exec.Command(binary, "--listen", "127.0.0.1:0", "--dns", loopbackDNS(t))
	cmd.Env = append(os.Environ(), "GLASSBOX_HOME="+home)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil { // the test ended before Wait
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	started := false
	defer func() {
		if !started {
			t.Logf("glassbox's stderr:\n%s", stderr.String())
		}
	}()
	storetest.Eventually(t, 30*time.Second, "glassbox to say it is listening", func() bool {
		return strings.Contains(stderr.String(), "listening on")
	})
	started = true
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "no terminal here") {
		t.Errorf("no word about the missing terminal:\n%s", stderr.String())
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Issue 15's end-to-end test: the live inspector shows a request that
// takes 3 s while it waits (a live clock, no status) and with its status
// after; under 16 parallel clients for 30 s the header's count of flows
// comes to the count the database holds.
func TestLiveSlowAndUnderLoad(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("SKIPPED: tmux is not installed, so the end-to-end test of the live inspector did not run (apt-get install tmux)")
	}
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-api" {
			time.Sleep(3 * time.Second)
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok")
	}))
	defer origin.Close()
	home := t.TempDir()
	p := &tmuxPane{t: t, tmux: tmux, socket: fmt.Sprintf("glassbox-load-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { exec.Command(tmux, "-L", p.socket, "kill-server").Run() })
	script := fmt.Sprintf("GLASSBOX_HOME=%s %s --listen 127.0.0.1:0 --dns %s 2>%s/stderr.log; echo \"glassbox exited with $?\"; sleep 60",
		home, binary, loopbackDNS(t), home)
	p.run("new-session", "-d", "-s", "inspect", "-x", "160", "-y", "50", "sh", "-c", script)
	screen := p.waitFor("session 1", "0 flows", "no HTTPS yet: open http://127.0.0.1:")
	m := regexp.MustCompile(`no HTTPS yet: open http://(127\.0\.0\.1:\d+)/ to trust the CA`).FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no listen address in the header:\n%s", screen)
	}
	proxyURL, _ := url.Parse("http://" + m[1])
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL), MaxIdleConnsPerHost: 32}}
	get := func(path string) error {
		resp, err := client.Get(origin.URL + path)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	if err := get("/before"); err != nil {
		t.Fatal(err)
	}
	slow := make(chan error, 1)
	go func() { slow <- get("/slow-api") }()
	if err := get("/after"); err != nil {
		t.Fatal(err)
	}
	// While it waits: on screen, no status, the live clock running ("…").
	lineOf := func(screen, path string) string {
		for _, l := range strings.Split(screen, "\n") {
			if strings.Contains(l, path) {
				return l
			}
		}
		return ""
	}
	screen = p.waitFor("/slow-api", "/before", "/after")
	clock := regexp.MustCompile(`\d s…|\d ms…`) // the TIME column of a flow in flight
	if l := lineOf(screen, "/slow-api"); !strings.Contains(l, " ... ") || !clock.MatchString(l) {
		t.Errorf("the slow request while it waits: %q", l)
	}
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		screen = p.run("capture-pane", "-p", "-t", "inspect")
		if l := lineOf(screen, "/slow-api"); strings.Contains(l, " 200 ") && !clock.MatchString(l) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the slow request's status never showed:\n%s", screen)
		}
	}

	// 16 clients for 30 s.
	var wg sync.WaitGroup
	stop := time.Now().Add(30 * time.Second)
	for i := 0; i < 16; i++ {
		wg.Go(func() {
			for n := 0; n < 100000 && time.Now().Before(stop); n++ {
				get(fmt.Sprintf("/load/%d", n))
			}
		})
	}
	wg.Wait()
	// The writer may still be committing when the clients are done (on a
	// fast machine 40,000 flows in 30 s): the header must come to the
	// stored count and stay there, so compare the two until they agree
	// on a count that no longer moves.
	storedCount := func() int64 {
		db, err := sqlite.OpenReadOnly(filepath.Join(home, "glassbox.db"))
		if err != nil {
			return -1
		}
		defer db.Close()
		s, err := db.Session(context.Background(), 1)
		if err != nil {
			return -1
		}
		return s.Flows
	}
	var stored int64
	var pane string
	storetest.Eventually(t, 60*time.Second, "the header's count to come to the stored count", func() bool {
		before := storedCount()
		pane = p.run("capture-pane", "-p", "-t", "inspect")
		stored = storedCount()
		return stored > 0 && stored == before && strings.Contains(pane, fmt.Sprintf("│ %d flows", stored))
	})
	p.keys("q")
	p.waitFor("glassbox exited with 0")
}
