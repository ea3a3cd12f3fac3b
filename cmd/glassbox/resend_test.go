package main_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
	"github.com/glassbox-dev/glassbox/store/storetest"
)

// resendOrigin records what each request it got carried.
type resendOrigin struct {
	mu  sync.Mutex
	got []string // "METHOD path cookie=... body=..."
}

func (o *resendOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	o.mu.Lock()
	o.got = append(o.got, r.Method+" "+r.URL.Path+" cookie="+r.Header.Get("Cookie")+" mark="+r.Header.Get("X-Glassbox-Resend-Of")+" body="+string(body))
	o.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "ok")
}

func (o *resendOrigin) last() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.got[len(o.got)-1]
}

// A recorded request sent again: after the session ended (through a proxy
// started for it, attached to the session) and while it records (through
// the running proxy). The new flow is in the same session, linked to the
// one it repeats, and says so in HAR; credentials go again only when asked.
func TestResend(t *testing.T) {
	home := t.TempDir()
	o := &resendOrigin{}
	origin := httptest.NewServer(o)
	defer origin.Close()
	dns := loopbackDNS(t)
	p := startProxy(t, home, "--dns", dns)
	client, _ := trustingClient(t, home, p.addr)
	req, _ := http.NewRequest("POST", origin.URL+"/order", strings.NewReader("qty=2"))
	req.Header.Set("Cookie", "session=s3cret")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	p.stop(t)

	// After the session: a proxy is started for the resend, attached to it.
	out, errOut, code := glassbox(t, home, "resend", "--dns", dns, "1")
	if code != 0 || !strings.Contains(out, "#1 POST "+origin.URL+"/order") || !strings.Contains(out, "now:  #2 200") {
		t.Fatalf("resend (exit %d):\n%s\n%s", code, out, errOut)
	}
	if got := o.last(); got != "POST /order cookie= mark= body=qty=2" {
		t.Errorf("the origin got %q: the body again, no cookie, no mark", got)
	}
	f := resentFlow(t, home, 2)
	if f.ResendOf != 1 || f.SessionID != 1 || f.ReqHeaders.Get("Cookie") != "" {
		t.Errorf("flow 2: resend of %d in session %d, cookie %q", f.ResendOf, f.SessionID, f.ReqHeaders.Get("Cookie"))
	}
	if _, _, code := glassbox(t, home, "resend", "--dns", dns, "--with-credentials", "1"); code != 0 || o.last() != "POST /order cookie=session=s3cret mark= body=qty=2" {
		t.Errorf("--with-credentials: the origin got %q", o.last())
	}

	// Edited first: the file has no cookie without --with-credentials, the
	// editor's change goes, the newline it adds at the end does not.
	editor := filepath.Join(t.TempDir(), "editor")
	os.WriteFile(editor, []byte("#!/bin/sh\ngrep -qi '^cookie:' \"$1\" && exit 3\nsed -i 's/^POST/PUT/; s/qty=2/qty=3/' \"$1\"\necho >> \"$1\"\n"), 0o700)
	t.Setenv("EDITOR", editor)
	if out, errOut, code := glassbox(t, home, "resend", "--dns", dns, "--edit", "1"); code != 0 || o.last() != "PUT /order cookie= mark= body=qty=3" {
		t.Errorf("--edit (exit %d): the origin got %q\n%s%s", code, o.last(), out, errOut)
	}
	// The session was not shaped: a resend on a shaped network would make
	// its views say something untrue.
	if _, errOut, code := glassbox(t, home, "resend", "--dns", dns, "--latency", "50ms", "1"); code == 0 || !strings.Contains(errOut, "recorded with no shaping") {
		t.Errorf("a shaped resend into an unshaped session: exit %d, %s", code, errOut)
	}
	t.Setenv("EDITOR", "false")
	if _, errOut, code := glassbox(t, home, "resend", "--dns", dns, "--edit", "1"); code == 0 || !strings.Contains(errOut, "--edit: false") {
		t.Errorf("an editor that failed: exit %d, %s", code, errOut)
	}

	// While a session records: through its own proxy, into it.
	p = startProxy(t, home, "--dns", dns)
	client, _ = trustingClient(t, home, p.addr)
	resp, err = client.Get(origin.URL + "/live")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	storetest.Eventually(t, 10*time.Second, "the flow to be stored", func() bool { return stored(t, home, 2, 1) })
	out, errOut, code = glassbox(t, home, "resend", "1")
	if code != 0 || !strings.Contains(out, "now:  #2 200") {
		t.Fatalf("resend while recording (exit %d):\n%s\n%s", code, out, errOut)
	}
	p.stop(t)
	har, _, code := glassbox(t, home, "export", "--session", "2", "--format", "har")
	var doc struct {
		Log struct {
			Entries []map[string]any `json:"entries"`
		} `json:"log"`
	}
	if code != 0 || json.Unmarshal([]byte(har), &doc) != nil || len(doc.Log.Entries) != 2 {
		t.Fatalf("export: %s", har)
	}
	if doc.Log.Entries[1]["_resendOf"] != float64(1) {
		t.Errorf("the resent entry does not say what it repeats: %v", doc.Log.Entries[1]["_resendOf"])
	}
	if ids, _ := doc.Log.Entries[0]["_resentAs"].([]any); len(ids) != 1 || ids[0] != float64(2) {
		t.Errorf("the original entry does not say it was sent again: %v", doc.Log.Entries[0]["_resentAs"])
	}
}

// stored reports whether flow id of session is in the database yet.
func stored(t *testing.T, home string, session, id int64) bool {
	db, err := sqlite.OpenReadOnly(filepath.Join(home, "glassbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.Flow(context.Background(), session, id)
	return err == nil
}

// resentFlow reads flow id of session 1.
func resentFlow(t *testing.T, home string, id int64) store.Flow {
	t.Helper()
	db, err := sqlite.OpenReadOnly(filepath.Join(home, "glassbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f, err := db.Flow(context.Background(), 1, id)
	if err != nil {
		t.Fatalf("flow %s: %v", strconv.FormatInt(id, 10), err)
	}
	return f
}

// A page load sent again as a whole: the document and its sub-resources,
// in their recorded order, each linked to the request it repeats.
func TestResendPage(t *testing.T) {
	home := t.TempDir()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<!doctype html><title>p</title><link rel="stylesheet" href="/a.css"><script src="/b.js"></script>`)
	})
	mux.HandleFunc("/a.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		io.WriteString(w, "body{}")
	})
	mux.HandleFunc("/b.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, "1")
	})
	origin := httptest.NewServer(mux)
	defer origin.Close()
	dns := loopbackDNS(t)
	p := startProxy(t, home, "--dns", dns)
	client, _ := trustingClient(t, home, p.addr)
	for _, r := range []struct{ path, dest, accept string }{
		{"/", "document", "text/html"}, {"/a.css", "style", "text/css"}, {"/b.js", "script", "*/*"},
	} {
		req, _ := http.NewRequest("GET", origin.URL+r.path, nil)
		req.Header.Set("Accept", r.accept)
		req.Header.Set("Sec-Fetch-Dest", r.dest)
		if r.dest == "document" {
			req.Header.Set("Sec-Fetch-Mode", "navigate")
		} else {
			req.Header.Set("Referer", origin.URL+"/")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	p.stop(t)
	if f := resentFlow(t, home, 3); f.PageID != 1 {
		t.Fatalf("the script is in page load %d, not 1: the test's page did not group", f.PageID)
	}

	out, errOut, code := glassbox(t, home, "resend", "--dns", dns, "--page", "1")
	if code != 0 || strings.Count(out, "now:  #") != 3 {
		t.Fatalf("resend --page 1 (exit %d):\n%s\n%s", code, out, errOut)
	}
	// The three go with their recorded spacing, which may be less than a
	// millisecond: which arrives first is the scheduler's.
	repeated := map[int64]bool{}
	for id := int64(4); id <= 6; id++ {
		f := resentFlow(t, home, id)
		repeated[f.ResendOf] = true
		if f.Status != 200 {
			t.Errorf("flow %d: status %d", id, f.Status)
		}
	}
	if !repeated[1] || !repeated[2] || !repeated[3] {
		t.Errorf("flows 4 to 6 repeat %v, want 1, 2 and 3", repeated)
	}
	if _, errOut, code := glassbox(t, home, "resend", "--page", "1", "--edit"); code == 0 || !strings.Contains(errOut, "one flow") {
		t.Errorf("--page with --edit: exit %d, %s", code, errOut)
	}
}
