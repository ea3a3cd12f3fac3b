package render

import (
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
)

// A shaped session says so in the header, on the Timing tab and at the
// top of a page's Story (issue 17: every view says the numbers were
// shaped); an unshaped one says nothing of it.
func TestShapedSessionSaysSo(t *testing.T) {
	const network = "--network 3g: 300 ms added to every round trip, 1.6 Mbit/s down per connection, 768 kbit/s up per connection"
	head := lineText(HeaderLine(HeaderInfo{Session: store.Session{ID: 1, Network: network}, Flows: 3}, 120))
	if !strings.Contains(head, "shaped: 3g") {
		t.Errorf("header: %q", head)
	}
	if head := lineText(HeaderLine(HeaderInfo{Session: store.Session{ID: 1}, Flows: 3}, 120)); strings.Contains(head, "shaped") {
		t.Errorf("unshaped header: %q", head)
	}
	f := &store.Flow{ID: 1, Method: "GET", URL: "https://shop.test/", Proto: "HTTP/2.0", Status: 200}
	timing := linesText(FlowTab(NewTheme(256, false), tabIndex(t, "Timing"), FlowDetail{Flow: f, Network: network}, 100))
	story := linesText(PageTab(NewTheme(256, false), 0, PageDetail{Group: &model.Group{Kind: model.GroupPage, PageID: 1}, Flows: []store.Flow{*f}, Network: network}, 100))
	for name, text := range map[string]string{"Timing": timing, "Story": story} {
		if !strings.Contains(text, "Shaped network: --network 3g: 300 ms") || !strings.Contains(text, "every time here includes them") {
			t.Errorf("%s tab does not say the session was shaped:\n%s", name, text)
		}
	}
	if plain := linesText(FlowTab(NewTheme(256, false), tabIndex(t, "Timing"), FlowDetail{Flow: f}, 100)); strings.Contains(plain, "Shaped") {
		t.Errorf("unshaped Timing tab says Shaped:\n%s", plain)
	}
}

func tabIndex(t *testing.T, name string) int {
	for i, n := range FlowTabs {
		if n == name {
			return i
		}
	}
	t.Fatalf("no tab %q", name)
	return 0
}

func linesText(ls []Line) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(lineText(l) + "\n")
	}
	return b.String()
}
