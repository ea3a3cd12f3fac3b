package inspector

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/store"
)

// TestGroupWaterfallScrolls: a group's waterfall lays out only the rows
// around what the pane shows, and scrolling to the end and back shows the
// rows there (the window follows).
func TestGroupWaterfallScrolls(t *testing.T) {
	db, s, w := recording(t, store.Session{Started: t0})
	ctx := context.Background()
	for i := int64(1); i <= 400; i++ {
		w.RecordFlow(get(i, 0, 1, fmt.Sprintf("http://load.test/item-%d", i), 200, float64(i), float64(i)+20))
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	h, a := startApp(t, Options{Reader: db, SessionID: s.ID, Poll: time.Hour}, 140, 30)
	h.press("2", tcell.KeyEnter, "z")
	h.contains("item-1 ", "item-2 ")
	var laidOut int
	onUI(a, func(a *app) {
		for _, l := range a.detail.lines {
			if l != nil {
				laidOut++
			}
		}
	})
	if laidOut > 200 {
		t.Errorf("%d of the waterfall's %d lines laid out for a pane of 30", laidOut, 404)
	}
	h.press("G")
	h.contains("item-400 ", "item-399 ")
	h.press("g")
	h.contains("item-1 ")
	h.quits()
}
