package main_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// `glassbox export` and the inspector's keys write the same bytes for the
// same session, scope, filter and redaction: both go through
// inspector/export. The inspector runs as `glassbox inspect` runs it (the
// database read-only, the latest session, the binary's version), on a
// simulation screen; the files its keys write are compared with the real
// binary's exports, for HAR, the HTML report and curl.
func TestExportSameFromCLIAndInspector(t *testing.T) {
	home, dbPath := captured(t)
	if err := addCredentials(dbPath); err != nil {
		t.Fatal(err)
	}
	ver, _, _ := glassbox(t, home, "version")
	uiDir, cliDir := t.TempDir(), t.TempDir()

	db, err := sqlite.OpenReadOnly(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	scr := simulate(t, 300, 40, inspector.Options{Reader: db, Version: strings.TrimSpace(strings.TrimPrefix(ver, "glassbox")), ExportDir: uiDir})

	steps := []struct {
		keys  string   // what the user types in the inspector
		shown string   // the status line once the file is written
		file  string   // the file the inspector writes
		cli   []string // the same export with glassbox export
	}{
		{"E", "wrote session 1 (6 flows, HAR", "glassbox-s1.har", []string{"--format", "har"}},
		{"R", "wrote session 1 (6 flows, HTML report)", "glassbox-s1.html", []string{"--format", "html", "--session", "1"}},
		{"c", "curl for #6 (credentials redacted", "glassbox-s1-flow-6.sh", []string{"--format", "curl", "--flow", "6"}},
		{"C", "(with credentials", "glassbox-s1-flow-6-2.sh", []string{"--format", "curl", "--flow", "6", "--no-redact"}}, // never over the first
		{"e", "wrote page load #2 (2 flows, HAR", "glassbox-s1-page-2.har", []string{"--format", "har", "--page", "2"}},
		{"r", "wrote page load #2 (2 flows, HTML", "glassbox-s1-page-2.html", []string{"--format", "html", "--page", "2"}},
		{"/status>=400\rE", "wrote session 1 (filter: status>=400) (1 flow, HAR", "glassbox-s1-2.har", []string{"--format", "har", "--filter", "status>=400"}},
		{"R", "wrote session 1 (filter: status>=400) (1 flow, HTML", "glassbox-s1-2.html", []string{"--format", "html", "--filter", "status>=400"}},
	}
	scr.click(t, "/cart/items")
	scr.waitFor(t, "flow #6")
	for _, st := range steps {
		scr.typeKeys(st.keys)
		scr.waitFor(t, st.shown)
		ui, err := os.ReadFile(filepath.Join(uiDir, st.file))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(cliDir, st.file)
		if _, errOut, code := glassbox(t, home, append([]string{"export", "--db", dbPath, "-o", out}, st.cli...)...); code != 0 {
			t.Fatalf("glassbox export %s: exit %d: %s", strings.Join(st.cli, " "), code, errOut)
		}
		cli, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if string(ui) != string(cli) {
			n, a, b := firstOtherLine(string(ui), string(cli))
			t.Errorf("%q in the inspector and export %s differ from line %d:\ninspector: %q\nexport:    %q", st.keys, strings.Join(st.cli, " "), n, a, b)
		}
		if strings.HasSuffix(st.file, ".har") && !strings.Contains(string(ui), `"_notes":[`) {
			t.Errorf("the inspector's HAR (%q) has no _notes", st.keys)
		}
	}
}

// addCredentials adds to recordForInspect's session a form POST of the
// cart page that carries a cookie and a token, so redaction is compared
// too.
func addCredentials(path string) error {
	db, err := sqlite.Open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	pages, err := db.Pages(context.Background(), 1)
	if err != nil {
		return err
	}
	if len(pages) != 2 {
		return errors.New("recordForInspect no longer records the cart page")
	}
	at := pages[1].Start.Add(150 * time.Millisecond) // into the cart page
	w := db.NewWriter(1, sqlite.WriterOptions{Block: true})
	w.RecordFlow(&store.Flow{ID: 6, PageID: 2, ConnID: 1, ConnReused: true, Kind: store.KindHTTP, MITM: true, ResourceType: store.TypeFetch,
		Method: "POST", URL: "https://shop.test/cart/items?token=t0k", Proto: "HTTP/2.0", RespProto: "HTTP/2.0", Status: 201,
		ReqHeaders: store.Headers{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}, {Name: "Cookie", Value: "sid=s3cret"},
			{Name: "Authorization", Value: "Bearer hunter2"}},
		ReqBody:     store.Body{Data: []byte("sku=A-1&qty=2"), Size: 13},
		RespHeaders: store.Headers{{Name: "Set-Cookie", Value: "sid=s3cret2; Path=/; HttpOnly"}},
		Start:       at, GotConn: at.Add(time.Millisecond), WroteRequest: at.Add(2 * time.Millisecond),
		FirstByte: at.Add(9 * time.Millisecond), End: at.Add(10 * time.Millisecond)})
	return w.Close(context.Background())
}

// firstOtherLine is the first line where two files part: its number, and
// the line in each.
func firstOtherLine(a, b string) (int, string, string) {
	la, lb := strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
	i := 0
	for i < len(la)-1 && i < len(lb)-1 && la[i] == lb[i] {
		i++
	}
	return i + 1, la[i], lb[i]
}
