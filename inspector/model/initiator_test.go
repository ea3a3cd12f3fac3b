package model_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
)

func initiated(f store.Flow, typ string, by int64, heuristic bool) store.Flow {
	f.Initiator = store.Initiator{Type: typ, FlowID: by, Heuristic: heuristic}
	return f
}

// chains: page 1 reached through http -> https -> www (flows 1, 2, 3),
// its stylesheet (4) and an image behind one redirect (5 -> 6); page 2's
// navigation (7) never redirected.
func chains() *model.Model {
	m := model.New()
	m.SetPages([]store.Page{{ID: 1, FlowID: 1, URL: "http://shop.test/"}, {ID: 2, FlowID: 7, URL: "https://shop.test/cart"}})
	m.Add([]store.Flow{
		initiated(flow(1, 1, "http://shop.test/", 301, 0, 5, 0), store.InitNavigation, 0, false),
		initiated(flow(2, 1, "https://shop.test/", 302, 6, 5, 0), store.InitRedirect, 1, false),
		initiated(flow(3, 1, "https://www.shop.test/", 200, 12, 50, 900), store.InitRedirect, 2, false),
		initiated(flow(4, 1, "https://www.shop.test/app.css", 200, 70, 10, 100), store.InitParser, 3, false),
		initiated(flow(5, 1, "https://www.shop.test/logo", 302, 71, 3, 0), store.InitParser, 3, true),
		initiated(flow(6, 1, "https://cdn.test/logo.png", 200, 75, 10, 300), store.InitRedirect, 5, false),
		initiated(flow(7, 2, "https://shop.test/cart", 200, 900, 30, 100), store.InitNavigation, 0, false),
	})
	m.SetHeight(100)
	return m
}

func TestRedirectChains(t *testing.T) {
	m := chains()
	tests := []struct {
		id    int64
		chain []int64
		k, n  int
	}{
		{1, []int64{1, 2, 3}, 1, 3}, // the first request of the navigation
		{2, []int64{1, 2, 3}, 2, 3}, // a hop in the middle
		{3, []int64{1, 2, 3}, 3, 3}, // the final request
		{4, nil, 0, 0},              // a stylesheet that never redirected
		{5, []int64{5, 6}, 1, 2},    // a sub-resource's own chain
		{6, []int64{5, 6}, 2, 2},
		{7, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("flow-%d", tt.id), func(t *testing.T) {
			if got := m.Chain(tt.id); !slices.Equal(got, tt.chain) {
				t.Errorf("chain %v, want %v", got, tt.chain)
			}
			if k, n := m.Hop(tt.id); k != tt.k || n != tt.n {
				t.Errorf("hop %d of %d, want %d of %d", k, n, tt.k, tt.n)
			}
		})
	}
	r := m.RowByID(5)
	if r.Init != store.InitParser || r.InitFlow != 3 || !r.InitHeuristic {
		t.Errorf("row keeps initiator %q #%d heuristic %v", r.Init, r.InitFlow, r.InitHeuristic)
	}
	// A flow recorded again with another initiator leaves the chain.
	m.Add([]store.Flow{initiated(flow(6, 1, "https://cdn.test/logo.png", 200, 75, 10, 300), store.InitParser, 3, false)})
	if c := m.Chain(5); c != nil {
		t.Errorf("after the upsert flow 5 is in chain %v", c)
	}
}

func TestFoldChainsIntoTheirFinalRequest(t *testing.T) {
	m := chains()
	m.SetFoldChains(true)
	check(t, m, "G page:1 6/6", "  F 3", "  F 4", "  F 6", "G page:2 1/1", "  F 7")
	for line, want := range map[int]int{1: 2, 2: 0, 3: 1} {
		if got := m.Item(line).Hops; got != want {
			t.Errorf("line %d hides %d hops, want %d", line, got, want)
		}
	}
	if !m.Folded(2) || m.Folded(3) {
		t.Errorf("folded: #2 %v, #3 %v", m.Folded(2), m.Folded(3))
	}
	m.SetMode(model.ModeFlat)
	check(t, m, "F 3", "F 4", "F 6", "F 7")
	// A filter that keeps a hop but not its final request shows the hop.
	f, _ := model.ParseFilter("status:3xx")
	m.SetFilter(f)
	check(t, m, "F 1", "F 2", "F 5")
	m.SetFilter(model.Filter{})
	m.SetFoldChains(false)
	check(t, m, "F 1", "F 2", "F 3", "F 4", "F 5", "F 6", "F 7")
}

// The browser's own traffic and other programs' requests are groups of
// their own, after the page loads, known kinds before "unattributed"; in
// a session with page loads they start folded, and a large one does in any
// session, unless the selection is inside it; what the reader chose stays.
func TestBackgroundGroups(t *testing.T) {
	m := model.New()
	m.SetPages([]store.Page{{ID: 1, FlowID: 1, URL: "https://shop.test/"}})
	flows := []store.Flow{initiated(flow(1, 1, "https://shop.test/", 200, 0, 5, 0), store.InitNavigation, 0, false)}
	for i := int64(2); i <= 8; i++ {
		flows = append(flows, initiated(flow(i, 0, fmt.Sprintf("https://update.test/%d", i), 200, int(i), 1, 1), store.InitBrowser, 0, false))
	}
	flows = append(flows,
		initiated(flow(9, 0, "http://api.test/", 200, 10, 1, 1), store.InitClient, 0, false),
		initiated(flow(10, 0, "http://late.test/", 200, 11, 1, 1), store.InitUnknown, 0, false),
		flow(11, 0, "http://old.test/", 200, 12, 1, 1), // from before initiators
	)
	m.Add(flows)
	m.SetHeight(100)
	check(t, m, "G page:1 1/1", "  F 1", "G browser 7/7 (collapsed)", "G client 1/1 (collapsed)",
		"G unattributed 2/2 (collapsed)")
	m.SetCollapsed(2, false)
	m.Add([]store.Flow{initiated(flow(12, 0, "https://update.test/12", 200, 13, 1, 1), store.InitBrowser, 0, false)})
	if g := m.GroupAt(2); g.Collapsed || g.Total != 8 {
		t.Errorf("the browser group after unfolding: collapsed %v, %d flows", g.Collapsed, g.Total)
	}
	if rows := m.GroupRows(m.GroupAt(2)); len(rows) != 8 || rows[0].ID != 2 {
		t.Errorf("the browser group's rows: %d", len(rows))
	}
	// Following the newest flow finds it above the last line.
	m.SelectNewest()
	if r := m.RowAt(m.Selected()); r == nil || r.ID != 12 || m.Selected() == m.Len()-1 {
		t.Errorf("newest: line %d of %d", m.Selected(), m.Len())
	}

	// Selected inside it as it grows past the limit: it stays open.
	m = model.New()
	m.Add(flows[1:5])
	m.SetHeight(100)
	m.SelectFlow(3)
	m.Add(flows[5:8])
	if g := m.GroupAt(0); g.Kind != model.GroupBrowser || g.Collapsed {
		t.Errorf("the group holding the selection folded: %+v", g)
	}
	if r := m.RowAt(m.Selected()); r == nil || r.ID != 3 {
		t.Error("the selection left flow 3")
	}
}

// A page merged into another (a download) is no group; a flow still filed
// under it is listed with the page the browser stayed on.
func TestMergedPagesAreSkipped(t *testing.T) {
	m := model.New()
	m.SetPages([]store.Page{{ID: 1, FlowID: 1, URL: "https://shop.test/"}, {ID: 2, FlowID: 2, URL: "https://shop.test/file.zip", MergedInto: 1}})
	m.Add([]store.Flow{flow(1, 1, "https://shop.test/", 200, 0, 5, 0), flow(2, 2, "https://shop.test/file.zip", 200, 10, 5, 0)})
	m.SetHeight(100)
	check(t, m, "G page:1 2/2", "  F 1", "  F 2")
	if m.PageCount() != 1 || len(m.PageRows(1)) != 2 {
		t.Errorf("pages %d, rows of page 1 %d", m.PageCount(), len(m.PageRows(1)))
	}
	if !m.SelectFlow(2) {
		t.Error("SelectFlow cannot reach the download's flow")
	}
	if m.SetPages([]store.Page{{ID: 1, FlowID: 1, URL: "https://shop.test/"}, {ID: 2, FlowID: 2, URL: "https://shop.test/file.zip", MergedInto: 1}}) {
		t.Error("the same records read again count as a change")
	}
}
