package inspector

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
)

// Golden screens at the two sizes issue 19 names: 80x24, the smallest
// terminal people keep, and 200x50: the list, each tab of a flow (the
// POST with a body) and of a page load, the waterfall and the help.
func TestGoldenSizes(t *testing.T) {
	screens := []struct {
		name string
		keys []any
	}{
		{"list", nil},
		{"story", []any{down(linePost)}},
		{"timing", []any{down(linePost), "2"}},
		{"request", []any{down(linePost), "3"}},
		{"response", []any{down(linePost), "4"}},
		{"body", []any{down(linePost), "5"}},
		{"connection", []any{down(linePost), "6"}},
		{"page-story", []any{tcell.KeyEnter}},
		{"page-waterfall", []any{tcell.KeyEnter, "2"}},
		{"waterfall", []any{"w"}},
		{"help", []any{"?"}},
	}
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		for _, sc := range screens {
			name := fmt.Sprintf("%dx%d-%s", size[0], size[1], sc.name)
			t.Run(name, func(t *testing.T) {
				h := start(t, fixtureOpts(t), size[0], size[1])
				h.press(sc.keys...)
				h.golden(name)
				for _, line := range strings.Split(h.text(), "\n") {
					if w := len([]rune(line)); w > size[0] {
						t.Errorf("a line of %d cells on a %d-column screen: %q", w, size[0], line)
					}
				}
			})
		}
	}
}
