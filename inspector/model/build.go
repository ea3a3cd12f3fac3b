package model

import (
	"sort"
	"strconv"
	"strings"
)

// maxFrameDepth bounds iframe nesting in the list: deeper frames are
// listed under the deepest shown one's page (a cycle in bad data cannot
// recurse forever).
const maxFrameDepth = 6

// pageTree is the page hierarchy of one build.
type pageTree struct {
	tops     []int64
	children map[int64][]int64
	byPage   map[int64][]int // shown rows per page, in sort order
	totals   map[int64]int   // all rows per page
}

// buildPages lists every top-level page load in order with its flows and,
// nested, its iframes' page loads; then the flows no page load made
// (background.go).
func (m *Model) buildPages() {
	idx := m.matching()
	m.sortRows(idx)
	t := pageTree{children: map[int64][]int64{}, byPage: map[int64][]int{}, totals: map[int64]int{}}
	for i := range m.rows {
		t.totals[m.PageOf(&m.rows[i])]++
	}
	for _, i := range idx {
		pid := m.PageOf(&m.rows[i])
		t.byPage[pid] = append(t.byPage[pid], i)
	}
	ids := make([]int64, 0, len(m.pages)+1)
	for id := range m.pages {
		ids = append(ids, id)
	}
	for id := range t.totals {
		if _, ok := m.pages[id]; !ok && id != 0 {
			ids = append(ids, id) // flows of a page whose record is not read yet
		}
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	for _, id := range ids {
		if parent := m.pages[id].ParentID; parent != 0 && m.TopPage(id) != id {
			t.children[parent] = append(t.children[parent], id)
		} else {
			t.tops = append(t.tops, id)
		}
	}
	for _, id := range t.tops {
		mark := len(m.items)
		gi := m.emitPage(&t, id, 0)
		if !m.filter.Empty() && m.groups[gi].Shown == 0 {
			m.items = m.items[:mark]
		}
	}
	m.emitBackground(t.byPage[0])
}

// TopPage returns the top-level page that contains page id (id itself for
// a top-level page). A parent chain that loops or runs too deep counts as
// top-level.
func (m *Model) TopPage(id int64) int64 {
	cur := id
	for i := 0; i < 32; i++ {
		p, ok := m.pages[cur]
		if !ok || p.ParentID == 0 {
			return cur
		}
		if _, ok := m.pages[p.ParentID]; !ok {
			return cur
		}
		cur = p.ParentID
	}
	return id
}

// emitFlat adds a group header and its rows.
func (m *Model) emitFlat(g Group, rows []int, depth int) int {
	gi := m.addGroup(g)
	m.items = append(m.items, Item{Kind: ItemGroup, Depth: depth, Group: gi})
	collapsed := m.groups[gi].Collapsed
	for _, i := range rows {
		m.groups[gi].tally(&m.rows[i])
		if !collapsed && !m.isHidden(i) {
			m.items = append(m.items, Item{Kind: ItemFlow, Depth: depth + 1, Row: i, Hops: m.hops[i]})
		}
	}
	return gi
}

func (m *Model) emitPage(t *pageTree, id int64, depth int) int {
	kind := GroupPage
	if depth > 0 {
		kind = GroupFrame
	}
	g := Group{Kind: kind, Key: "page:" + strconv.FormatInt(id, 10), PageID: id, Page: m.pages[id], Total: t.totals[id]}
	gi := m.emitFlat(g, t.byPage[id], depth)
	if depth >= maxFrameDepth {
		return gi
	}
	collapsed := m.groups[gi].Collapsed
	for _, c := range t.children[id] {
		mark := len(m.items)
		ci := m.emitPage(t, c, depth+1)
		m.groups[gi].merge(&m.groups[ci])
		if collapsed || (!m.filter.Empty() && m.groups[ci].Shown == 0) {
			m.items = m.items[:mark]
		}
	}
	return gi
}

// buildTree lists hosts by name, each with its directories by name, each
// with its flows in sort order.
func (m *Model) buildTree() {
	idx := m.matching()
	m.sortRows(idx)
	totals := map[string]int{}
	for i := range m.rows {
		r := &m.rows[i]
		totals[r.Host]++
		totals[r.Host+" "+dirOf(r.Path)]++
	}
	type dir struct {
		name string
		rows []int
	}
	hosts := map[string][]*dir{}
	dirs := map[string]*dir{}
	for _, i := range idx {
		r := &m.rows[i]
		key := r.Host + " " + dirOf(r.Path)
		d := dirs[key]
		if d == nil {
			d = &dir{name: dirOf(r.Path)}
			dirs[key] = d
			hosts[r.Host] = append(hosts[r.Host], d)
		}
		d.rows = append(d.rows, i)
	}
	names := make([]string, 0, len(hosts))
	for h := range hosts {
		names = append(names, h)
	}
	sort.Strings(names)
	for _, h := range names {
		gi := m.addGroup(Group{Kind: GroupHost, Key: "host:" + h, Label: h, Total: totals[h]})
		m.items = append(m.items, Item{Kind: ItemGroup, Group: gi})
		ds := hosts[h]
		sort.Slice(ds, func(a, b int) bool { return ds[a].name < ds[b].name })
		for _, d := range ds {
			mark := len(m.items)
			di := m.emitFlat(Group{Kind: GroupDir, Key: "dir:" + h + d.name, Label: d.name, Total: totals[h+" "+d.name]}, d.rows, 1)
			m.groups[gi].merge(&m.groups[di])
			m.groups[gi].Total -= m.groups[di].Total // host total counted once, above
			if m.groups[gi].Collapsed {
				m.items = m.items[:mark]
			}
		}
	}
}

// dirOf is a path's directory: "/static/app.js?v=2" -> "/static/".
func dirOf(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i+1]
	}
	return "/"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// PageRows returns the flows of a page load and of the frames inside it
// (all of them, whatever the filter), by start time: the waterfall's rows.
// Page 0 gives the flows no page load made; a download's flow still filed
// under its merged page record counts with the page it was merged into. It costs the size of the page, not
// of the session: rows are indexed by page as they arrive.
func (m *Model) PageRows(id int64) []*Row {
	var out []*Row
	seen := map[int64]bool{}
	var walk func(pid int64, depth int)
	walk = func(pid int64, depth int) {
		if seen[pid] || depth > 32 {
			return
		}
		seen[pid] = true
		for _, i := range m.byPage[pid] {
			out = append(out, &m.rows[i])
		}
		if pid == 0 {
			return
		}
		for from, to := range m.merged {
			if to == pid {
				for _, i := range m.byPage[from] {
					out = append(out, &m.rows[i])
				}
			}
		}
		for _, c := range m.children[pid] {
			walk(c, depth+1)
		}
	}
	walk(id, 0)
	sort.SliceStable(out, func(a, b int) bool {
		if !out[a].Start.Equal(out[b].Start) {
			return out[a].Start.Before(out[b].Start)
		}
		return out[a].ID < out[b].ID
	})
	return out
}

// GroupRows returns every flow of a group, whatever the filter or folding:
// the flows a page load's story and waterfall, or a host's summary, cover.
func (m *Model) GroupRows(g *Group) []*Row {
	switch g.Kind {
	case GroupPage, GroupFrame:
		return m.PageRows(g.PageID)
	case GroupUnattributed, GroupBrowser, GroupClient:
		return m.backgroundRows(g.Kind)
	}
	var out []*Row
	for i := range m.rows {
		r := &m.rows[i]
		switch {
		case g.Kind == GroupHost && r.Host == g.Label:
			out = append(out, r)
		case g.Kind == GroupDir && strings.HasPrefix(g.Key, "dir:"+r.Host) && g.Key == "dir:"+r.Host+dirOf(r.Path):
			out = append(out, r)
		}
	}
	return out
}
