package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/export"
	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// longSession is the fixture's session plus a second page load whose
// requests have long URLs and fail with long red labels, beside phases of
// a tenth of a millisecond, and a comment on each page and on a flow.
func longSession(t *testing.T) (*sqlite.DB, int64) {
	db, id := recorded(t)
	ctx := context.Background()
	w := db.NewWriter(id, sqlite.WriterOptions{Block: true})
	w.RecordPage(&store.Page{ID: 3, FlowID: 10, URL: "https://api2.example:3855/", Title: "The API console", Start: ms(6000)})
	long := "/v1/organisations/1234567890/projects/0987654321/environments/production/deployments?page=2&per_page=100&sort=-created_at"
	for i, m := range []string{"GET", "OPTIONS", "PUT", "DELETE"} {
		n := float64(6000 + 10*i)
		f := &store.Flow{ID: int64(10 + i), PageID: 3, Kind: store.KindHTTP, Method: m, URL: "https://api2.example:3855" + long + fmt.Sprint(i),
			Proto: "HTTP/2.0", RespProto: "HTTP/2.0", ResourceType: "fetch", Start: ms(n), GotConn: ms(n + 0.1), WroteRequest: ms(n + 0.2),
			FirstByte: ms(n + 60), End: ms(n + 60.1), Status: 200, StatusText: "OK"}
		if i > 0 {
			f.Status, f.FirstByte, f.End = 0, time.Time{}, ms(n+30)
			f.Error = &store.FlowError{Phase: "wait", Kind: "timeout", Message: "the server sent nothing for 30 ms"}
		}
		w.RecordFlow(f)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for _, a := range []store.Annotation{{PageID: 1, Comment: "the shop's home"}, {PageID: 3, Comment: "why do these time out?"}, {FlowID: 11, Marked: true, Comment: "the preflight"}} {
		if err := db.Annotate(ctx, id, a); err != nil {
			t.Fatal(err)
		}
	}
	return db, id
}

// layoutProbe is run by Chromium inside a copy of the report: it collects
// the boxes the browser laid out and writes what it finds into the DOM,
// which --dump-dom prints.
const layoutProbe = `<script>
(function () {
  var out = {labels: 0, phases: 0, overlaps: [], thin: [], wide: document.documentElement.scrollWidth};
  function hit(a, b) { return a.right > b.left + 0.5 && b.right > a.left + 0.5 && a.bottom > b.top + 0.5 && b.bottom > a.top + 0.5; }
  document.querySelectorAll('svg.waterfall').forEach(function (svg) {
    var labels = svg.querySelectorAll('text.label'), bars = svg.querySelectorAll('rect.phase, text.dur');
    labels.forEach(function (l) {
      out.labels++;
      var a = l.getBoundingClientRect();
      bars.forEach(function (b) { if (hit(a, b.getBoundingClientRect())) out.overlaps.push(l.firstChild.textContent); });
    });
    svg.querySelectorAll('rect.phase').forEach(function (r) {
      out.phases++;
      var w = r.getBoundingClientRect().width;
      if (w < 3) out.thin.push(w.toFixed(2));
    });
  });
  var cw = document.documentElement.clientWidth;
  out.client = cw;
  out.over = [];
  document.querySelectorAll('body *').forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.right > cw + 0.5 && out.over.length < 5) out.over.push(e.tagName + '.' + e.className + ' ' + r.right.toFixed(0));
  });
  document.body.setAttribute('data-layout', JSON.stringify(out));
})();
</script>`

// layout renders page in headless Chromium at width CSS pixels with probe
// added before </body>, and returns what the probe wrote into the DOM.
func layout(t *testing.T, page []byte, width int, probe string, v any) {
	t.Helper()
	browser, err := exec.LookPath("chromium")
	if err != nil {
		fmt.Fprintln(os.Stderr, "\n*** SKIPPED: the report's layout is checked in Chromium (apt-get install chromium) ***")
		t.Skip("no Chromium")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "page.html")
	os.WriteFile(file, bytes.Replace(page, []byte("</body>"), []byte(probe+"</body>"), 1), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+filepath.Join(dir, "profile"),
		fmt.Sprintf("--window-size=%d,900", width), "--dump-dom", "file://"+file).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	m := regexp.MustCompile(`data-layout="([^"]*)"`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("the probe wrote nothing:\n%.2000s", out)
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), v); err != nil {
		t.Fatal(err)
	}
}

// The report as Chromium lays it out (issue 19, item 7): no label's box
// meets a bar or a duration, every phase is at least 3 px wide, and the
// page does not scroll sideways at 1024 px; a session has a table of
// contents, and the comments are there.
func TestReportLayoutInChromium(t *testing.T) {
	db, id := longSession(t)
	var buf bytes.Buffer
	if _, err := export.Write(context.Background(), db, &buf, export.Options{Format: export.FormatHTML, SessionID: id, Version: "test"}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{`<nav class="toc">`, `href="#page-2"`, `id="page-2"`, "why do these time out?", "marked in glassbox: the preflight", "at least 4 px wide"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	var got struct {
		Labels, Phases, Wide, Client int
		Overlaps, Thin, Over         []string
	}
	layout(t, buf.Bytes(), 1024, layoutProbe, &got)
	if got.Labels != 10 || got.Phases < 20 {
		t.Errorf("the probe saw %d labels and %d phases: not the report's waterfalls", got.Labels, got.Phases)
	}
	for _, o := range got.Overlaps {
		t.Errorf("the label %q overlaps a bar or a duration", o)
	}
	if len(got.Thin) > 0 {
		t.Errorf("phases narrower than 3 px: %v", got.Thin)
	}
	if got.Wide > got.Client {
		t.Errorf("the report is %d px wide in a window %d px wide inside (1024 with its scroll bar): it scrolls sideways; too wide: %v", got.Wide, got.Client, got.Over)
	}
}

// The probe itself: a label drawn over a bar, and a 1 px phase, are seen.
func TestLayoutProbeSeesOverlaps(t *testing.T) {
	page := []byte(`<!doctype html><html><body><svg class="waterfall" viewBox="0 0 400 40" width="400">` +
		`<text x="4" y="20" class="label" style="font:11px monospace">ERR GET https://api2.example:3855/a/very/long/path</text>` +
		`<rect class="phase" x="100" y="10" width="1" height="12"/><rect class="phase" x="200" y="10" width="50" height="12"/>` +
		`</svg></body></html>`)
	var got struct {
		Labels, Phases int
		Overlaps, Thin []string
	}
	layout(t, page, 800, layoutProbe, &got)
	if got.Labels != 1 || got.Phases != 2 || len(got.Overlaps) == 0 || len(got.Thin) != 1 {
		t.Errorf("the probe missed what it looks for: %+v", got)
	}
}

// HAR carries the comments: on the entry (a mark says so) and on the page.
func TestHARComments(t *testing.T) {
	db, id := longSession(t)
	var buf bytes.Buffer
	if _, err := export.Write(context.Background(), db, &buf, export.Options{Format: export.FormatHAR, SessionID: id}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Log struct {
			Pages   []struct{ ID, Comment string }
			Entries []struct{ Comment string }
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	comments := map[string]bool{}
	for _, p := range doc.Log.Pages {
		comments[p.ID+": "+p.Comment] = true
	}
	for _, e := range doc.Log.Entries {
		comments[e.Comment] = true
	}
	for _, want := range []string{"page_1: the shop's home", "page_3: why do these time out?", "marked in glassbox: the preflight"} {
		if !comments[want] {
			t.Errorf("no comment %q in %v", want, comments)
		}
	}
	f, _ := model.ParseFilter("marked")
	res, err := export.Write(context.Background(), db, io.Discard, export.Options{Format: export.FormatMarkdown, SessionID: id, Filter: f})
	if err != nil || res.Flows != 1 {
		t.Errorf("export --filter marked: %v, %d flows, want the one marked", err, res.Flows)
	}
}

// export --filter with a body term: HAR reads the bodies with the flows,
// the report's lists read them again one flow at a time; both keep the
// one flow whose request body says "ping".
func TestExportBodyFilter(t *testing.T) {
	db, id := recorded(t)
	f, err := model.ParseFilter("body:PING")
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []export.Format{export.FormatHAR, export.FormatMarkdown, export.FormatCurl} {
		var buf bytes.Buffer
		res, err := export.Write(context.Background(), db, &buf, export.Options{Format: format, SessionID: id, Filter: f})
		if err != nil || res.Flows != 1 || !strings.Contains(buf.String(), "telemetry.test/ping") {
			t.Errorf("%s: %v, %d flows, want the telemetry ping:\n%.400s", format, err, res.Flows, buf.String())
		}
	}
}
