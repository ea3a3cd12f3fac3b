package har_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/har"
)

// failingRecorder is a database that stopped taking writes (a full disk).
type failingRecorder struct {
	nopRecorder
	flows int
}

func (r *failingRecorder) RecordFlow(*store.Flow) { r.flows++ }
func (r *failingRecorder) Stats() store.RecorderStats {
	return store.RecorderStats{Failed: int64(r.flows), LastError: "database or disk is full"}
}

func entries(n int) string {
	e := `{"startedDateTime":"2024-01-01T10:00:00Z","time":1,"request":{"method":"GET","url":"https://a.test/"},` +
		`"response":{"status":200,"content":{"text":"hi"}},"timings":{"send":0,"wait":1,"receive":0}}`
	return `{"log":{"version":"1.2","entries":[` + strings.TrimSuffix(strings.Repeat(e+",", n), ",") + `]}}`
}

// An import stops when the store cannot keep what it is given, and when
// its context ends, between two entries, saying how far it got.
func TestImportStops(t *testing.T) {
	rec := &failingRecorder{}
	st, err := har.Import(context.Background(), strings.NewReader(entries(1000)), rec, har.ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "disk is full") || st.Entries >= 1000 {
		t.Errorf("full disk: %d entries, %v", st.Entries, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err = har.Import(ctx, strings.NewReader(entries(10)), nopRecorder{}, har.ImportOptions{})
	if !errors.Is(err, context.Canceled) || st.Entries != 0 {
		t.Errorf("cancelled: %d entries, %v", st.Entries, err)
	}
}

// Entries with a field of the wrong type are skipped with their number;
// the ones after them are read.
func TestImportSkipsMistypedEntry(t *testing.T) {
	in := strings.Replace(entries(3), `"time":1`, `"time":"soon"`, 1)
	st, err := har.Import(context.Background(), strings.NewReader(in), nopRecorder{}, har.ImportOptions{})
	if err != nil || st.Entries != 2 || st.Skipped != 1 || !strings.HasPrefix(st.Warn[0], "entry 1 skipped") {
		t.Errorf("%+v, %v", st, err)
	}
}
