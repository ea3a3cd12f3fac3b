package inspector

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
)

// v marks a page load, v on another compares them on a screen of its own;
// r there writes the comparison as an HTML report into the export folder.
func TestComparePageLoads(t *testing.T) {
	dir := t.TempDir()
	h := start(t, Options{Reader: newFixture(t).db, ExportDir: dir}, 140, 50)
	h.press(down(lineDoc), "v")
	h.contains("page load #1 is A: select another page load and press v")
	h.press(down(lineCart-lineDoc), "v")
	h.contains("Comparing page #1", "(A) with page #3", "In numbers", "requests", "Where the time went")
	h.press("r")
	matches, _ := filepath.Glob(filepath.Join(dir, "glassbox-s2-compare-1-3*.html"))
	if len(matches) != 1 {
		t.Fatalf("report files %v", matches)
	}
	html, err := os.ReadFile(matches[0])
	if err != nil || !strings.Contains(string(html), "Comparing page #1") {
		t.Errorf("report: %v\n%.300s", err, html)
	}
	h.contains("wrote the comparison (HTML report)")
	h.press(tcell.KeyEsc)

	// The mark is forgotten on the page that holds it.
	h.press("v", "v")
	h.contains("is no longer marked for comparing")
}
