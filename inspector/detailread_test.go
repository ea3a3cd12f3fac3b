package inspector

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// The detail pane reads a page load's flows in the background. These
// tests hold it to reading once: a page it cannot read in full is
// explained, not asked for again and again (that kept the inspector busy
// forever on 100,000 flows, issue 20's make bench).

// pagelessDB records a session whose three flows name page load 5, of
// which the store has no record (a recording cut short, or written by
// another tool).
func pagelessDB(t *testing.T) *sqlite.DB {
	t.Helper()
	fx := &fixture{path: filepath.Join(t.TempDir(), "glassbox.db")}
	db, err := sqlite.Open(fx.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	fx.db = db
	fx.record(t, store.Session{Started: t0}, func(w *sqlite.Writer) {
		doc := get(1, 5, 1, "https://pageless.test/", 200, 0, 40)
		doc.ResourceType = store.TypeDocument
		w.RecordFlow(doc)
		w.RecordFlow(get(2, 5, 1, "https://pageless.test/app.js", 200, 50, 70))
		w.RecordFlow(get(3, 5, 1, "https://pageless.test/app.css", 200, 55, 90))
	})
	return db
}

func TestPageWithoutItsRecordIsShown(t *testing.T) {
	h := start(t, Options{Reader: pagelessDB(t)}, 120, 40)
	h.press("l") // the page load, selected at start, into its Story
	h.contains("What happened, step by step", "takes the address apart: https://pageless.test/")
	if text := h.text(); strings.Contains(text, "reading the page's requests") || strings.Contains(text, "cannot read") {
		t.Errorf("the page's flows were not shown:\n%s", text)
	}
}

// failingReader fails every read of one flow in full, as a disk error
// would, and counts the reads.
type failingReader struct {
	store.Reader
	reads atomic.Int64
}

var errInjected = errors.New("disk I/O error (injected)")

func (r *failingReader) Flow(ctx context.Context, sessionID, id int64) (store.Flow, error) {
	r.reads.Add(1)
	return store.Flow{}, errInjected
}

func TestPageReadErrorIsShownOnce(t *testing.T) {
	fr := &failingReader{Reader: newFixture(t).db}
	h := start(t, Options{Reader: fr}, 120, 40)
	// The page's diagnosis reads its document in full, which fails.
	h.press("l")
	h.contains("cannot read the page's requests: disk I/O error (injected)")
	reads := fr.reads.Load()
	if reads == 0 {
		t.Fatal("the failing read was never made")
	}
	for range 5 {
		h.press("2", "1") // redraws of the page's tabs read nothing
	}
	if n := fr.reads.Load(); n != reads {
		t.Errorf("the page was read %d times more after it failed, want none", n-reads)
	}
	// Coming back to the page asks again.
	h.press(tcell.KeyEsc, "j")
	h.press("k")
	if n := fr.reads.Load(); n == reads {
		t.Error("coming back to the page did not read it again")
	}
}
