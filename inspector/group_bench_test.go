package inspector

import (
	"context"
	"fmt"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// loose is a session of 20,000 flows no page load made (a load test
// through the proxy): one group, its waterfall 20,004 lines long.
var loose benchDB

const looseFlows = 20_000

func fillLoose(db *sqlite.DB) error {
	ctx := context.Background()
	s, err := db.StartSession(ctx, store.Session{Started: t0})
	if err != nil {
		return err
	}
	w := db.NewWriter(s.ID, sqlite.WriterOptions{Block: true})
	for i := int64(1); i <= looseFlows; i++ {
		f := get(i, 0, i%50+1, fmt.Sprintf("http://load.test/item/%d", i), 200, float64(i), float64(i)+20)
		f.ReqHeaders = nil
		w.RecordFlow(f)
	}
	return w.Close(ctx)
}

// BenchmarkGroupWaterfall20k lays out the Waterfall tab of a group of
// 20,000 flows as the detail pane does (the rows around what it shows)
// and whole (as it was: 69 ms, on the UI goroutine, at every new flow).
func BenchmarkGroupWaterfall20k(b *testing.B) {
	db := loose.get(b, "", fillLoose)
	h := startBenchN(b, db, looseFlows)
	defer h.stop()
	tab := 1 // Waterfall
	for _, c := range []struct {
		name string
		win  render.Window
	}{{"shown", windowAround(10_000, 50)}, {"whole", render.Window{}}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				onUI(h.app, func(a *app) {
					d := a.pageDetail(a.m.GroupAt(0), 0)
					d.Window = c.win
					if n := len(render.PageTab(a.theme, tab, d, 120)); n != looseFlows+4 {
						b.Fatalf("%d lines", n)
					}
				})
			}
		})
	}
}
