package report_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/report"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestMain(m *testing.M) {
	time.Local = time.UTC // goldens must not depend on the machine's zone
	os.Exit(m.Run())
}

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func at(ms float64) time.Time { return t0.Add(time.Duration(ms * float64(time.Millisecond))) }

func hdr(kv ...string) store.Headers {
	var h store.Headers
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, store.Header{Name: kv[i], Value: kv[i+1]})
	}
	return h
}

// fixture records one page load with a redirect, sub-resources, a 404, a
// failed request and an iframe, plus one unattributed request.
func fixture(t *testing.T) (*sqlite.DB, int64) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{Started: t0, Listen: "127.0.0.1:8080"})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	w.RecordLookup(&store.Lookup{ID: 1, Name: "shop.test", Source: "network", Server: "127.0.0.53:53", Rcode: "NOERROR",
		Answers: []store.DNSAnswer{{Type: "A", Addr: "192.0.2.10", TTL: 300}}, Start: at(0.2), End: at(4.2), RTT: 3900 * time.Microsecond})
	w.RecordConn(&store.Conn{ID: 1, Host: "shop.test", Port: "80", RemoteAddr: "192.0.2.10:80", LookupID: 1,
		DNSStart: at(0.2), DNSEnd: at(4.2), ConnectStart: at(4.2), ConnectEnd: at(4.6)})
	w.RecordConn(&store.Conn{ID: 2, Host: "shop.test", Port: "443", RemoteAddr: "192.0.2.10:443",
		ConnectStart: at(10), ConnectEnd: at(10.5), TLSStart: at(10.5), TLSEnd: at(23),
		TLS: &store.TLSInfo{Version: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", ALPN: "h2", SNI: "shop.test"}})
	w.RecordPage(&store.Page{ID: 1, FlowID: 1, URL: "http://shop.test/", Title: "The Shop", Start: at(0)})
	w.RecordPage(&store.Page{ID: 2, ParentID: 1, FlowID: 6, URL: "https://widget.test/frame", Title: "Widget", Start: at(60)})
	nav := hdr("Accept", "text/html", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document")
	flows := []store.Flow{
		{ID: 1, PageID: 1, ConnID: 1, ResourceType: "document", Method: "GET", URL: "http://shop.test/", Proto: "HTTP/1.1", ReqHeaders: nav,
			Status: 301, StatusText: "Moved Permanently", RespProto: "HTTP/1.1", RespHeaders: hdr("Location", "https://shop.test/"),
			Start: at(0), GotConn: at(4.7), WroteRequest: at(4.8), FirstByte: at(9), End: at(9.2)},
		{ID: 2, PageID: 1, ConnID: 2, ResourceType: "document", Method: "GET", URL: "https://shop.test/", Proto: "HTTP/2.0", ReqHeaders: nav,
			Status: 200, StatusText: "OK", RespProto: "HTTP/2.0", RespHeaders: hdr("Content-Type", "text/html; charset=utf-8", "Cache-Control", "max-age=60"),
			RespBody: store.Body{Size: 5120}, Start: at(9.5), GotConn: at(23.2), WroteRequest: at(23.4), FirstByte: at(41), End: at(45)},
		{ID: 3, PageID: 1, ConnID: 2, ConnReused: true, ResourceType: "stylesheet", Method: "GET", URL: "https://shop.test/app.css", Proto: "HTTP/2.0",
			ReqHeaders: hdr("Referer", "https://shop.test/"), Status: 200, StatusText: "OK", RespProto: "HTTP/2.0",
			RespHeaders: hdr("Content-Type", "text/css"), RespBody: store.Body{Size: 2048}, Start: at(47), GotConn: at(47.1), WroteRequest: at(47.2), FirstByte: at(52), End: at(53)},
		{ID: 4, PageID: 1, ConnID: 2, ConnReused: true, ResourceType: "image", Method: "GET", URL: "https://shop.test/missing.png", Proto: "HTTP/2.0",
			Status: 404, StatusText: "Not Found", RespProto: "HTTP/2.0", RespHeaders: hdr("Content-Type", "text/html"), RespBody: store.Body{Size: 120},
			Start: at(48), GotConn: at(48.1), WroteRequest: at(48.2), FirstByte: at(55), End: at(55.3)},
		{ID: 5, PageID: 1, ResourceType: "script", Method: "GET", URL: "https://ads.test/x.js", Proto: "HTTP/2.0",
			Start: at(49), End: at(51), Error: &store.FlowError{Phase: "dns", Kind: "nxdomain", Message: "ads.test: no such domain"}},
		{ID: 6, PageID: 2, ResourceType: "document", Method: "GET", URL: "https://widget.test/frame", Proto: "HTTP/2.0",
			Status: 200, StatusText: "OK", RespProto: "HTTP/2.0", RespHeaders: hdr("Content-Type", "text/html"), RespBody: store.Body{Size: 900},
			Start: at(60), GotConn: at(70), WroteRequest: at(70.2), FirstByte: at(80), End: at(81)},
		{ID: 7, PageID: 0, ResourceType: "fetch", Method: "POST", URL: "https://telemetry.test/ping", Proto: "HTTP/1.1",
			Status: 204, StatusText: "No Content", RespProto: "HTTP/1.1", Start: at(5000), GotConn: at(5001), WroteRequest: at(5002), FirstByte: at(5010), End: at(5010)},
	}
	for i := range flows {
		flows[i].Kind = store.KindHTTP
		w.RecordFlow(&flows[i])
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return db, sess.ID
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", name, diffLine(string(want), string(got)))
	}
}

func diffLine(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d\nwant: %s\ngot:  %s", i+1, a, b)
		}
	}
	return ""
}

func TestMarkdownGolden(t *testing.T) {
	db, id := fixture(t)
	var buf bytes.Buffer
	if err := report.Markdown(context.Background(), db, id, &buf, report.Options{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md.golden", buf.Bytes())
	out := buf.String()
	for _, want := range []string{"## 1. The Shop", "### Waterfall", "### Step by step", "Requests no page load claimed", "telemetry.test"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestMarkdownOnePage(t *testing.T) {
	db, id := fixture(t)
	var buf bytes.Buffer
	if err := report.Markdown(context.Background(), db, id, &buf, report.Options{PageID: 1}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "telemetry.test") {
		t.Error("a one-page report lists the unattributed requests")
	}
	if !strings.Contains(buf.String(), "widget.test/frame") {
		t.Error("the page's iframe is missing from its waterfall")
	}
}

// The HTML report is one self-contained file: nothing fetched, no scripts;
// headless Chromium renders it to a PNG.
func TestHTMLSelfContainedAndRendered(t *testing.T) {
	db, id := fixture(t)
	var buf bytes.Buffer
	if err := report.HTML(context.Background(), db, id, &buf, report.Options{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, bad := range []string{"<script", "src=\"http", "href=\"http", "@import", "url(http"} {
		if strings.Contains(html, bad) {
			t.Errorf("the report is not self-contained: it contains %q", bad)
		}
	}
	for _, want := range []string{"<svg", "The Shop", "Step by step", "DNS lookup"} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		fmt.Fprintln(os.Stderr, "\n*** SKIPPED: rendering the HTML report needs Chromium (apt-get install chromium) ***")
		t.Skip("no Chromium")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	shot := filepath.Join(dir, "report.png")
	os.WriteFile(page, buf.Bytes(), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=1100,1400",
		"--screenshot="+shot, "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	// Not a blank page: count pixels that are not white.
	b := img.Bounds()
	inked := 0
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			if r, g, bl, _ := img.At(x, y).RGBA(); r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				inked++
			}
		}
	}
	if inked < 500 {
		t.Errorf("the rendered report looks blank (%d inked samples)", inked)
	}
	if os.Getenv("GLASSBOX_KEEP_REPORT") != "" {
		data, _ := os.ReadFile(shot)
		os.WriteFile(os.Getenv("GLASSBOX_KEEP_REPORT"), data, 0o644)
	}
}
