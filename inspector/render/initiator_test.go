package render_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
)

// rows reads back what was drawn, one string per screen row.
func (g *grid) rows() []string {
	out := make([]string, g.h)
	for y := 0; y < g.h; y++ {
		var b strings.Builder
		for x := 0; x < g.w; x++ {
			b.WriteRune(g.written[[2]int{x, y}])
		}
		out[y] = b.String()
	}
	return out
}

// The initiator column fits at every width with flow numbers of five
// digits: it shortens its words, then drops them, then goes (below 80
// columns); a folded chain's line says how many hops it hides, with or
// without the column.
func TestInitiatorColumnFits(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	inits := []store.Initiator{
		{Type: store.InitNavigation},
		{Type: store.InitParser, FlowID: 12345, Heuristic: true},
		{Type: store.InitStylesheet, FlowID: 3},
		{Type: store.InitScript},
		{Type: store.InitPreflight},
		{Type: store.InitBrowser},
		{Type: store.InitNavigation},                  // 7: redirected
		{Type: store.InitRedirect, FlowID: 7},         // 8: hop 2
		{Type: store.InitRedirect, FlowID: 8},         // 9: the final request
		{Type: store.InitStylesheet, Heuristic: true}, // 10: a cached stylesheet's, guessed
		{Type: store.InitUnknown, Heuristic: true},    // 11
		{}, // 12: a capture from before initiators
	}
	var flows []store.Flow
	for i, in := range inits {
		pid := int64(1)
		if in.Type == store.InitBrowser {
			pid = 0
		}
		flows = append(flows, store.Flow{ID: int64(i + 1), PageID: pid, Method: "GET", URL: "https://a.test/path", Status: 200,
			Start: t0, End: t0.Add(time.Millisecond), Initiator: in})
	}
	tests := []struct {
		w    int
		fold bool
		want []string
		not  []string
	}{
		{200, false, []string{"INITIATOR", "nav ", "html #12345?", "css #3", "script", "preflight", "browser", "↪ #7", "↪ #8", "css?", "unknown"}, nil},
		{100, false, []string{"INITIATOR", " #12345? ", "preflight"}, []string{"html #12345"}},
		{80, false, []string{"INIT ", "#12345?", "css #3", "script", "cors", "browser", "↪ #8"}, []string{"INITIATOR"}},
		{120, true, []string{"↪ 2 hops"}, []string{"↪ #8"}},
		{80, true, []string{"↪2 hops"}, []string{"↪ #8"}},
		{79, true, []string{"↪2 /path"}, []string{"INIT", "css #3"}},
	}
	for _, tt := range tests {
		m := model.New()
		m.SetPages([]store.Page{{ID: 1, FlowID: 1, URL: "https://a.test/"}})
		m.Add(flows)
		m.SetFoldChains(tt.fold)
		m.SetHeight(20)
		g := &grid{w: tt.w, h: 21, written: map[[2]int]rune{}}
		render.DrawList(g, render.NewTheme(0, true), render.Rect{W: tt.w, H: 21}, m, false)
		holds(t, fmt.Sprintf("width %d", tt.w), strings.Join(g.rows(), "\n"), tt.want, tt.not)
		for _, row := range g.rows() {
			if strings.Contains(row, "GET") && !strings.Contains(row, " ms") {
				t.Errorf("width %d: a line overflows, its duration is cut: %q", tt.w, row)
			}
		}
	}
}
