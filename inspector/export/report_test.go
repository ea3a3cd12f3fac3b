package export_test

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/export"
)

// The report shows local times: the goldens must not depend on the
// machine's zone.
func init() { time.Local = time.UTC }

// write runs one export into memory.
func write(t *testing.T, opt export.Options) ([]byte, export.Result) {
	t.Helper()
	db, id := recorded(t)
	if opt.SessionID == 0 {
		opt.SessionID = id
	}
	var buf bytes.Buffer
	res, err := export.Write(context.Background(), db, &buf, opt)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), res
}

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name (-update rewrites it).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	n := 0
	for n < len(w) && n < len(g) && w[n] == g[n] {
		n++
	}
	line := func(l []string) string { return strings.Join(l[n:min(n+1, len(l))], "") }
	t.Errorf("%s differs from line %d (run with -update after checking):\nwant: %s\ngot:  %s", name, n+1, line(w), line(g))
}

func TestMarkdownGolden(t *testing.T) {
	got, _ := write(t, export.Options{Format: export.FormatMarkdown, Version: "test"})
	golden(t, "report.md.golden", got)
	for _, want := range []string{"## 1. The Shop", "### Waterfall", "### Step by step", "Requests no page load claimed", "telemetry.test"} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestMarkdownOnePage(t *testing.T) {
	got, res := write(t, export.Options{Format: export.FormatMarkdown, PageID: 1})
	if bytes.Contains(got, []byte("telemetry.test")) {
		t.Error("a one-page report lists the unattributed requests")
	}
	if !bytes.Contains(got, []byte("widget.test/frame")) {
		t.Error("the page's iframe is missing from its waterfall")
	}
	if res.Flows != 6 {
		t.Errorf("the page load and its frame hold 6 flows, the result says %d", res.Flows)
	}
}

// The HTML report is one self-contained file: nothing fetched, no scripts;
// headless Chromium renders it to a PNG.
func TestHTMLSelfContainedAndRendered(t *testing.T) {
	got, _ := write(t, export.Options{Format: export.FormatHTML, Version: "test"})
	html := string(got)
	for _, bad := range []string{"<script", "src=\"http", "href=\"http", "@import", "url(http"} {
		if strings.Contains(html, bad) {
			t.Errorf("the report is not self-contained: it contains %q", bad)
		}
	}
	for _, want := range []string{"<svg", "The Shop", "Step by step", "DNS lookup", "Critical path", "<code>redirect-chain</code> · flows #1"} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// The diagnosis leads the page: before its waterfall and its story.
	if why, wf := strings.Index(html, "Why this page took its time"), strings.Index(html, "<h3>Waterfall"); why < 0 || wf < why {
		t.Errorf("the diagnosis (at %d) does not come before the waterfall (at %d)", why, wf)
	}
	shot := screenshot(t, got)
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
	if keep := os.Getenv("GLASSBOX_KEEP_REPORT"); keep != "" {
		data, _ := os.ReadFile(shot)
		os.WriteFile(keep, data, 0o644)
	}
}
