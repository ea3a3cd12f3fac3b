package model_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// flow makes a flow of page pid starting at ms after t0 and lasting dur ms.
func flow(id, pid int64, url string, status int, ms, dur int, size int64) store.Flow {
	start := t0.Add(time.Duration(ms) * time.Millisecond)
	return store.Flow{
		ID: id, PageID: pid, Method: "GET", URL: url, Status: status, Kind: store.KindHTTP,
		ResourceType: store.TypeOther, Start: start, End: start.Add(time.Duration(dur) * time.Millisecond),
		RespBody: store.Body{Size: size},
	}
}

func failed(f store.Flow) store.Flow {
	f.Status = 0
	f.Error = &store.FlowError{Phase: store.PhaseDNS, Kind: "nxdomain"}
	return f
}

// lines describes the list: "G key shown/total" for groups, "F id" for
// flows, indented by depth.
func lines(m *model.Model) []string {
	var out []string
	for i := 0; i < m.Len(); i++ {
		it := m.Item(i)
		pad := strings.Repeat("  ", it.Depth)
		if g := m.GroupAt(i); g != nil {
			c := ""
			if g.Collapsed {
				c = " (collapsed)"
			}
			out = append(out, fmt.Sprintf("%sG %s %d/%d%s", pad, g.Key, g.Shown, g.Total, c))
		} else {
			out = append(out, fmt.Sprintf("%sF %d", pad, m.RowAt(i).ID))
		}
	}
	return out
}

func check(t *testing.T, m *model.Model, want ...string) {
	t.Helper()
	got := lines(m)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("list:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A session: page 1 (the shop) with an iframe (page 2) and a frame inside
// that (page 4), page 3 (the cart), a flow no page claimed, and a flow of
// page 9 whose record has not been read yet.
func sample() *model.Model {
	m := model.New()
	m.SetPages([]store.Page{
		{ID: 1, FlowID: 1, URL: "https://shop.test/", Title: "Shop"},
		{ID: 2, ParentID: 1, FlowID: 3, URL: "https://ads.test/frame"},
		{ID: 3, FlowID: 6, URL: "https://shop.test/cart", Title: "Cart"},
		{ID: 4, ParentID: 2, FlowID: 8, URL: "https://ads.test/inner"},
	})
	m.Add([]store.Flow{
		flow(1, 1, "https://shop.test/", 200, 0, 50, 5000),
		flow(2, 1, "https://shop.test/app.css", 200, 60, 20, 2000),
		flow(3, 2, "https://ads.test/frame", 200, 70, 30, 800),
		flow(4, 0, "http://detect.test/ok.txt", 200, 80, 5, 2),
		flow(5, 1, "https://shop.test/missing.png", 404, 90, 10, 100),
		flow(6, 3, "https://shop.test/cart", 200, 2000, 40, 3000),
		failed(flow(7, 3, "https://nope.test/x.js", 0, 2050, 3, 0)),
		flow(8, 4, "https://ads.test/inner", 200, 100, 10, 10),
		flow(9, 9, "https://late.test/", 200, 3000, 10, 10),
	})
	m.SetHeight(100)
	return m
}

func TestPagesModeGroupsFramesAndUnattributed(t *testing.T) {
	m := sample()
	check(t, m,
		"G page:1 5/5", // its own three flows, the frame's and the frame-in-frame's
		"  F 1",
		"  F 2",
		"  F 5",
		"  G page:2 2/2",
		"    F 3",
		"    G page:4 1/1",
		"      F 8",
		"G page:3 2/2",
		"  F 6",
		"  F 7",
		"G page:9 1/1", // no page record yet: a placeholder group
		"  F 9",
		"G unattributed 1/1 (collapsed)", // after the page loads, folded
	)
	g := m.GroupAt(0)
	if g.Page.Title != "Shop" || g.Bytes != 5000+2000+100+800+10 || g.Worst != 404 {
		t.Errorf("page 1 group: %+v", g)
	}
	if g.Span() != 100*time.Millisecond+10*time.Millisecond {
		t.Errorf("page 1 span %v", g.Span())
	}
	if g := m.GroupAt(8); g.Worst != model.WorstFailed || g.Failed != 1 {
		t.Errorf("page 3: worst %d failed %d, want the DNS failure", g.Worst, g.Failed)
	}
	if !m.HTTPSSeen() || m.FlowCount() != 9 || m.PageCount() != 4 || m.LastID() != 9 {
		t.Errorf("counts: https %v flows %d pages %d last %d", m.HTTPSSeen(), m.FlowCount(), m.PageCount(), m.LastID())
	}
	if rows := m.PageRows(1); len(rows) != 5 || rows[0].ID != 1 || rows[4].ID != 8 {
		t.Errorf("waterfall rows of page 1: %d", len(rows))
	}
}

func TestCollapseKeepsNumbersAndSelectsTheGroup(t *testing.T) {
	m := sample()
	m.Select(2) // flow 2, inside page 1
	m.Toggle(0)
	check(t, m,
		"G page:1 5/5 (collapsed)",
		"G page:3 2/2",
		"  F 6",
		"  F 7",
		"G page:9 1/1",
		"  F 9",
		"G unattributed 1/1 (collapsed)",
	)
	if m.Selected() != 0 {
		t.Errorf("selected line %d, want the collapsed group (0)", m.Selected())
	}
	if !m.SelectFlow(3) || m.RowAt(m.Selected()).ID != 3 {
		t.Error("SelectFlow did not expand the page to reach flow 3")
	}
}

func TestFlatAndTreeModes(t *testing.T) {
	m := sample()
	m.SetMode(model.ModeFlat)
	check(t, m, "F 1", "F 2", "F 3", "F 4", "F 5", "F 6", "F 7", "F 8", "F 9")

	m.SetMode(model.ModeTree)
	check(t, m,
		"G host:ads.test 2/2",
		"  G dir:ads.test/ 2/2",
		"    F 3",
		"    F 8",
		"G host:detect.test 1/1",
		"  G dir:detect.test/ 1/1",
		"    F 4",
		"G host:late.test 1/1",
		"  G dir:late.test/ 1/1",
		"    F 9",
		"G host:nope.test 1/1",
		"  G dir:nope.test/ 1/1",
		"    F 7",
		"G host:shop.test 4/4",
		"  G dir:shop.test/ 4/4",
		"    F 1",
		"    F 2",
		"    F 5",
		"    F 6",
	)
}

func TestSortOrders(t *testing.T) {
	tests := []struct {
		name string
		key  model.SortKey
		desc bool
		want string
	}{
		{"time", model.SortTime, false, "1 2 3 4 5 6 7 8 9"},
		{"time-newest-first", model.SortTime, true, "9 7 6 8 5 4 3 2 1"},
		{"duration-slowest-first", model.SortDuration, true, "1 6 3 2 5 8 9 4 7"},
		{"size-largest-first", model.SortSize, true, "1 6 2 3 5 8 9 4 7"},
		{"status-worst-first", model.SortStatus, true, "7 5 1 2 3 4 6 8 9"},
		{"status-best-first", model.SortStatus, false, "1 2 3 4 6 8 9 5 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sample()
			m.SetMode(model.ModeFlat)
			m.SetSort(tt.key, tt.desc)
			var ids []string
			for i := 0; i < m.Len(); i++ {
				ids = append(ids, fmt.Sprint(m.RowAt(i).ID))
			}
			if got := strings.Join(ids, " "); got != tt.want {
				t.Errorf("order %s, want %s", got, tt.want)
			}
		})
	}
	// Grouped modes sort inside each group.
	m := sample()
	m.SetSort(model.SortDuration, true)
	if l := lines(m); l[1] != "  F 1" || l[2] != "  F 2" || l[3] != "  F 5" {
		t.Errorf("page 1 sorted by duration: %v", l[0:4])
	}
	m.CycleSort()
	if k, desc := m.Sort(); k != model.SortSize || !desc {
		t.Errorf("cycle from duration: %v %v", k, desc)
	}
}

func TestFilterHidesEmptyGroups(t *testing.T) {
	m := sample()
	f, err := model.ParseFilter("status:4xx")
	if err != nil {
		t.Fatal(err)
	}
	m.SetFilter(f)
	check(t, m, "G page:1 1/5", "  F 5")
	if m.Shown() != 1 {
		t.Errorf("shown %d", m.Shown())
	}
	f, _ = model.ParseFilter("host:ads.*")
	m.SetFilter(f)
	check(t, m, "G page:1 2/5", "  G page:2 2/2", "    F 3", "    G page:4 1/1", "      F 8")
}

// New flows arriving (live) keep the selected flow selected and the top
// line on top, even when they land above the view.
func TestLiveAppendKeepsSelectionAndScroll(t *testing.T) {
	m := sample()
	m.SetHeight(5)
	m.Select(9) // flow 6
	top := m.Top()
	topLine := lines(m)[top]
	m.Add([]store.Flow{
		flow(10, 1, "https://shop.test/late.js", 200, 3100, 1, 1), // into page 1, above
		flow(11, 3, "https://shop.test/cart.js", 200, 3200, 1, 1),
		flow(12, 12, "https://new.test/", 200, 3300, 1, 1),
	})
	if r := m.RowAt(m.Selected()); r == nil || r.ID != 6 {
		t.Fatalf("selection moved to %v", lines(m)[m.Selected()])
	}
	if got := lines(m)[m.Top()]; got != topLine {
		t.Errorf("top line %q, want %q", got, topLine)
	}
	if m.Top() != top+1 {
		t.Errorf("top index %d, want %d (one line was added above)", m.Top(), top+1)
	}
	// A flow recorded again (upserted) replaces its row.
	again := flow(6, 3, "https://shop.test/cart", 500, 2000, 40, 3000)
	if n := m.Add([]store.Flow{again}); n != 0 || m.RowByID(6).Status != 500 {
		t.Errorf("upsert: added %d, status %d", n, m.RowByID(6).Status)
	}
	// The wheel scrolls the view and drags the selection only when it would
	// leave the screen.
	m.Select(0)
	m.Scroll(3)
	if m.Top() != 3 || m.Selected() != 3 {
		t.Errorf("after scroll: top %d selected %d", m.Top(), m.Selected())
	}
}

// TestRowPhasesAreTheFlowsPhases: a row keeps the marks the phases are
// cut at, so the list's bar and the waterfall derive exactly what the
// Timing tab and HAR derive from the full flow (store.ComputeTimings).
func TestRowPhasesAreTheFlowsPhases(t *testing.T) {
	base := flow(1, 1, "https://a.test/", 200, 0, 100, 1)
	base.GotConn = base.Start.Add(30 * time.Millisecond)
	base.WroteRequest = base.Start.Add(31 * time.Millisecond)
	base.FirstByte = base.Start.Add(90 * time.Millisecond)
	conn := &store.Conn{ID: 1, DNSStart: base.Start.Add(time.Millisecond), DNSEnd: base.Start.Add(5 * time.Millisecond),
		ConnectStart: base.Start.Add(5 * time.Millisecond), ConnectEnd: base.Start.Add(8 * time.Millisecond),
		TLSStart: base.Start.Add(8 * time.Millisecond), TLSEnd: base.Start.Add(20 * time.Millisecond)}
	for _, tc := range []struct {
		name string
		edit func(f *store.Flow)
		conn *store.Conn
	}{
		{"whole-flow-new-connection", func(*store.Flow) {}, conn},
		{"whole-flow-connection-not-read", func(*store.Flow) {}, nil},
		{"reused-connection", func(f *store.Flow) { f.ConnReused = true }, conn},
		{"failed-while-waiting", func(f *store.Flow) { f.FirstByte = time.Time{} }, conn},
		{"no-request-written-time", func(f *store.Flow) { f.WroteRequest = time.Time{} }, conn}, // issue 12: list said send+receive, Timing said send
		{"never-connected", func(f *store.Flow) { f.GotConn, f.WroteRequest, f.FirstByte = time.Time{}, time.Time{}, time.Time{} }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := base
			tc.edit(&f)
			r := model.NewRow(&f)
			got := r.Marks().Timings(tc.conn.Dial())
			if want := store.ComputeTimings(&f, tc.conn); got != want {
				t.Errorf("row phases %+v, flow phases %+v", got, want)
			}
			if total := got.Total(); total != f.Duration() {
				t.Errorf("phases add up to %v, the flow took %v", total, f.Duration())
			}
		})
	}
}
