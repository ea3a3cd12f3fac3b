package render_test

import (
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
)

// A body the body file lost says so, not that glassbox never kept it.
func TestBodyTabSaysTheBodyFileLostIt(t *testing.T) {
	f := &store.Flow{ID: 3, Method: "GET", URL: "https://cdn.test/big.js", Status: 200,
		RespHeaders: store.Headers{{Name: "Content-Type", Value: "text/javascript"}},
		RespBody:    store.Body{Size: 300 << 10, Truncated: true, Missing: true}}
	tab := 0
	for i, name := range render.FlowTabs {
		if name == "Body" {
			tab = i
		}
	}
	got := text(render.FlowTab(render.NewTheme(256, false), tab, render.FlowDetail{Flow: f}, 100))
	holds(t, "missing body", got, []string{"not readable", "body file", "export --format sqlite"}, []string{"--max-body 0"})
}
