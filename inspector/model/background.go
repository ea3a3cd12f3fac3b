package model

import "github.com/glassbox-dev/glassbox/store"

// Background groups: the flows no page load made (PageID 0), told apart
// by what their initiator says they are: the browser's own traffic
// (updates, sign-in checks, safe browsing), other programs using the
// proxy, and the rest, which no sign ties to a page ("unattributed").
// They are listed after the page loads, the list's main matter, and
// start folded when there are page loads to read (or when one grows past a
// few rows) so they never push the page loads off screen: a load test
// left 2,318 unattributed rows open above them (issue 19).

// backgroundFoldPast is the size above which a background group starts
// folded (until the user unfolds it) even in a session with no page load.
const backgroundFoldPast = 5

// backgroundGroups are the background groups with no numbers, in the
// order the list shows them: what is known (the browser's, other
// programs') before what is not.
var backgroundGroups = []Group{
	{Kind: GroupBrowser, Key: "browser"},
	{Kind: GroupClient, Key: "client"},
	{Kind: GroupUnattributed, Key: "unattributed"},
}

// BackgroundGroup is the group a flow no page load made belongs to: its
// kind and key, with no numbers.
func BackgroundGroup(r *Row) Group {
	switch r.Init {
	case store.InitBrowser:
		return backgroundGroups[0]
	case store.InitClient:
		return backgroundGroups[1]
	}
	return backgroundGroups[2]
}

// Background reports whether the group holds flows no page load made.
func (g *Group) Background() bool {
	return g.Kind == GroupUnattributed || g.Kind == GroupBrowser || g.Kind == GroupClient
}

// isCollapsed is a group's folding: the one chosen for it, else folded
// for a background group in a session with page loads or grown past
// backgroundFoldPast. That default is
// decided once and kept, so a group never folds under the reader's eyes
// later; it stays open when the selection is inside it.
func (m *Model) isCollapsed(g *Group) bool {
	if c, chosen := m.collapsed[g.Key]; chosen {
		return c
	}
	if !g.Background() || (g.Total <= backgroundFoldPast && len(m.pages) == 0) {
		return false // not decided yet: the group may grow, or a page load come
	}
	sel := m.RowByID(m.selKey.flow)
	c := sel == nil || m.PageOf(sel) != 0 || BackgroundGroup(sel).Kind != g.Kind
	m.collapsed[g.Key] = c
	return c
}

// PageOf is the page load a flow is listed with: its page, or the page a
// download's page record was merged into.
func (m *Model) PageOf(r *Row) int64 {
	if to, ok := m.merged[r.PageID]; ok {
		return to
	}
	return r.PageID
}

// emitBackground lists the background groups that have flows (shown ones,
// when a filter is in force), given the shown rows of page 0 in order.
func (m *Model) emitBackground(shown []int) {
	totals := map[GroupKind]int{}
	for _, i := range m.byPage[0] {
		totals[BackgroundGroup(&m.rows[i]).Kind]++
	}
	rows := map[GroupKind][]int{}
	for _, i := range shown {
		k := BackgroundGroup(&m.rows[i]).Kind
		rows[k] = append(rows[k], i)
	}
	for _, g := range backgroundGroups {
		if totals[g.Kind] == 0 || (!m.filter.Empty() && len(rows[g.Kind]) == 0) {
			continue
		}
		g.Total = totals[g.Kind]
		m.emitFlat(g, rows[g.Kind], 0)
	}
}

// backgroundRows are the flows of a background group, by start time.
func (m *Model) backgroundRows(kind GroupKind) []*Row {
	var out []*Row
	for _, r := range m.PageRows(0) {
		if BackgroundGroup(r).Kind == kind {
			out = append(out, r)
		}
	}
	return out
}
