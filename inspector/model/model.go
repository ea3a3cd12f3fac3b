// Package model is the inspector's pure core. It turns the flows and pages
// read from the store into the rows the list shows (grouped by page load,
// flat and chronological, or as a host/path tree), filtered and sorted,
// with a selection and a scroll position that survive new data arriving.
//
// Nothing here draws or touches a terminal or a database, so every rule is
// unit-tested with plain values; the render package draws from a Model and
// the inspector package (the UI) drives it. That is the one direction the
// layers depend in, as in k9s: model <- render <- ui.
package model

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// Mode is how the list arranges flows.
type Mode int

// The list modes, in the order the mode key cycles through them.
const (
	ModePages Mode = iota // page loads as collapsible groups, frames nested
	ModeFlat              // every flow, chronological
	ModeTree              // host, then directory, then flows
	modeCount
)

func (m Mode) String() string {
	return [...]string{"pages", "flat", "host tree"}[m]
}

// ItemKind says what a list line is.
type ItemKind uint8

// Kinds of list lines.
const (
	ItemGroup ItemKind = iota
	ItemFlow
)

// Item is one line of the list: a group header or a flow.
type Item struct {
	Kind  ItemKind
	Depth int
	Row   int // index into the rows, for ItemFlow
	Group int // index into the groups, for ItemGroup
	// Hops is how many requests of its redirect chain this flow's line
	// stands for besides itself, when chains are folded (SetFoldChains).
	Hops int
}

// GroupKind says what a group header stands for.
type GroupKind uint8

// Kinds of groups.
const (
	GroupPage         GroupKind = iota // a top-level page load
	GroupFrame                         // an iframe's page load, nested in its page
	GroupUnattributed                  // flows no page load claimed (PageID 0), for no reason known
	GroupBrowser                       // the browser's own traffic (PageID 0, initiator browser)
	GroupClient                        // other programs' requests (PageID 0, initiator client)
	GroupHost                          // tree mode: one host
	GroupDir                           // tree mode: one directory of a host
)

// Group is a collapsible header and what it holds.
type Group struct {
	Kind   GroupKind
	Key    string     // stable identity: selection and collapse follow it
	PageID int64      // page groups
	Page   store.Page // page groups; zero until the page record is read
	Label  string     // host or directory (tree mode)
	Total  int        // flows in the group, frames included
	Shown  int        // of those, flows that pass the filter
	Bytes  int64      // of the shown flows
	Start  time.Time  // earliest start of the shown flows
	End    time.Time  // latest end of the shown flows
	Worst  int        // Row.Worst of the worst shown flow
	Failed int
	// Collapsed hides the group's flows and nested groups.
	Collapsed bool
}

// Span is End-Start: how long the group's flows took from first to last.
func (g *Group) Span() time.Duration {
	if g.Start.IsZero() || g.End.Before(g.Start) {
		return 0
	}
	return g.End.Sub(g.Start)
}

type itemKey struct {
	group string
	flow  int64
}

// Model holds the summaries of one session and the list's state.
type Model struct {
	rows     []Row
	byID     map[int64]int
	byPage   map[int64][]int // row indices of each page, in ID order
	pages    map[int64]store.Page
	conns    map[int64]*store.Conn // the connection records read so far (SetConns)
	children map[int64][]int64     // frames of each page
	merged   map[int64]int64       // a download's page record -> the page the browser stayed on
	next     map[int64]int64       // a redirect's flow -> the flow that followed it (initiator.go)
	lastID   int64
	lastRev  int64 // the highest change number of the rows (store.Flow.Rev)
	// unordered is set once a row arrived after one with a higher ID (a
	// flow in flight is read by change, after flows that began later):
	// the rows are then no longer in ID order, and sorting by time sorts.
	unordered bool
	now       time.Time // the clock flows in flight are drawn against (SetClock)
	live      bool      // the session is being recorded
	https     bool
	mode      Mode
	sortKey   SortKey
	desc      bool
	filter    Filter
	fold      bool                       // redirect chains folded into their final requests
	notes     map[int64]store.Annotation // flows' marks and comments (annotations.go)
	pageNote  map[int64]string           // page loads' comments

	// collapsed holds the folding chosen for a group, by key: by the user,
	// or by default for a large background group (background.go).
	collapsed map[string]bool
	hidden    []bool      // rows folded into their chain's final request (foldHops)
	hops      map[int]int // row -> hops folded into it
	items     []Item
	groups    []Group
	shown     int
	dirty     bool

	sel, top       int
	selKey, topKey itemKey
	height         int
}

// New returns an empty model in pages mode, sorted by time.
func New() *Model {
	m := &Model{height: 1}
	m.Reset()
	return m
}

// Add takes flows read from the store. A flow already known (recorded
// again: flows are upserted) replaces its row. It returns how many rows
// are new.
func (m *Model) Add(flows []store.Flow) int {
	rows := make([]Row, len(flows))
	for i := range flows {
		rows[i] = NewRow(&flows[i])
	}
	return m.AddRows(rows)
}

// AddRows is Add for rows already summarised.
func (m *Model) AddRows(rows []Row) int {
	added := 0
	for _, r := range rows {
		if i, ok := m.byID[r.ID]; ok {
			if old := m.rows[i].PageID; old != r.PageID {
				m.byPage[old] = slices.DeleteFunc(m.byPage[old], func(j int) bool { return j == i })
				m.byPage[r.PageID] = insertSorted(m.byPage[r.PageID], i)
			}
			m.unlink(&m.rows[i], &r)
			m.rows[i] = r
		} else {
			if r.ID < m.lastID {
				m.unordered = true
			}
			m.byID[r.ID] = len(m.rows)
			m.byPage[r.PageID] = append(m.byPage[r.PageID], len(m.rows))
			m.rows = append(m.rows, r)
			added++
		}
		m.link(&r)
		if n, ok := m.notes[r.ID]; ok {
			m.rows[m.byID[r.ID]].Marked, m.rows[m.byID[r.ID]].Comment = n.Marked, n.Comment
		}
		m.lastID, m.lastRev = max(m.lastID, r.ID), max(m.lastRev, r.Rev)
		if r.HTTPS {
			m.https = true
		}
	}
	if len(rows) > 0 {
		m.dirty = true
	}
	return added
}

// SetConns replaces the connection records the rows' phases are derived
// with (the map is kept, not copied; the caller replaces it, never edits it).
func (m *Model) SetConns(conns map[int64]*store.Conn) { m.conns = conns }

// Conn is a connection's record, nil when not read (yet).
func (m *Model) Conn(id int64) *store.Conn { return m.conns[id] }

// SetPages replaces the page records; it reports whether anything changed.
// A page merged into another (a download, store.Page.MergedInto) is no
// page load of its own: it is not kept, and any flow still filed under it
// is listed with the page the browser stayed on.
func (m *Model) SetPages(pages []store.Page) bool {
	changed := len(pages) != len(m.pages)+len(m.merged)
	for _, p := range pages {
		if old, ok := m.pages[p.ID]; p.MergedInto == 0 && (!ok || old != p) {
			changed = true
		}
		if p.MergedInto != 0 && m.merged[p.ID] != p.MergedInto {
			changed = true
		}
	}
	if !changed {
		return false
	}
	m.pages = make(map[int64]store.Page, len(pages))
	m.children, m.merged = map[int64][]int64{}, map[int64]int64{}
	for _, p := range pages {
		if p.MergedInto != 0 && p.MergedInto != p.ID {
			m.merged[p.ID] = p.MergedInto
			continue
		}
		m.pages[p.ID] = p
		if p.ParentID != 0 && p.ParentID != p.ID {
			m.children[p.ParentID] = append(m.children[p.ParentID], p.ID)
		}
	}
	m.dirty = true
	return true
}

func insertSorted(s []int, v int) []int {
	i, _ := slices.BinarySearch(s, v)
	return slices.Insert(s, i, v)
}

// Reset forgets every flow and page (another session was opened); the
// mode, sort and filter stay.
func (m *Model) Reset() {
	m.rows, m.byID, m.pages, m.conns = nil, map[int64]int{}, map[int64]store.Page{}, nil
	m.byPage, m.children = map[int64][]int{}, map[int64][]int64{}
	m.merged, m.next, m.hidden, m.hops = map[int64]int64{}, map[int64]int64{}, nil, nil
	m.lastID, m.lastRev, m.unordered, m.https = 0, 0, false, false
	m.collapsed = map[string]bool{}
	m.notes, m.pageNote = map[int64]store.Annotation{}, map[int64]string{}
	m.sel, m.top, m.selKey, m.topKey = 0, 0, itemKey{}, itemKey{}
	m.dirty = true
}

// LastID is the highest flow ID seen: the next read asks for flows after
// it (a session no longer recorded; a recorded one is read by change).
func (m *Model) LastID() int64 { return m.lastID }

// LastRev returns the highest change number seen (store.Flow.Rev): what a
// live view reads after (store.FlowQuery.Changed).
func (m *Model) LastRev() int64 { return m.lastRev }

// SetClock sets the time flows still in flight are drawn against, and
// whether the session is being recorded (else a flow without an end
// never ended).
func (m *Model) SetClock(now time.Time, live bool) { m.now, m.live = now, live }

// Clock returns what SetClock set.
func (m *Model) Clock() (now time.Time, live bool) { return m.now, m.live }

// FlowCount is the number of flows held.
func (m *Model) FlowCount() int { return len(m.rows) }

// PageCount is the number of page records held.
func (m *Model) PageCount() int { return len(m.pages) }

// HTTPSSeen reports whether any flow used https (so the CA is trusted).
func (m *Model) HTTPSSeen() bool { return m.https }

// Page returns a page record.
func (m *Model) Page(id int64) (store.Page, bool) {
	p, ok := m.pages[id]
	return p, ok
}

// RowByID returns the summary of a flow, or nil.
func (m *Model) RowByID(id int64) *Row {
	if i, ok := m.byID[id]; ok {
		return &m.rows[i]
	}
	return nil
}

// Mode is the current list mode.
func (m *Model) Mode() Mode { return m.mode }

// SetMode switches the list mode, keeping the selected flow selected.
func (m *Model) SetMode(mode Mode) {
	if mode < 0 || mode >= modeCount || mode == m.mode {
		return
	}
	m.mode = mode
	m.topKey = itemKey{}
	m.dirty = true
}

// CycleMode goes to the next list mode.
func (m *Model) CycleMode() { m.SetMode((m.mode + 1) % modeCount) }

// Filter is the filter in force.
func (m *Model) Filter() Filter { return m.filter }

// SetFilter applies a filter.
func (m *Model) SetFilter(f Filter) {
	m.filter = f
	m.dirty = true
}

// Len is the number of list lines.
func (m *Model) Len() int {
	m.ensure()
	return len(m.items)
}

// Item returns list line i.
func (m *Model) Item(i int) Item {
	m.ensure()
	return m.items[i]
}

// RowAt returns the flow of list line i, or nil for a group or a line
// that does not exist.
func (m *Model) RowAt(i int) *Row {
	if i < 0 || i >= m.Len() {
		return nil
	}
	it := m.Item(i)
	if it.Kind != ItemFlow {
		return nil
	}
	return &m.rows[it.Row]
}

// GroupAt returns the group of list line i, or nil for a flow or a line
// that does not exist.
func (m *Model) GroupAt(i int) *Group {
	if i < 0 || i >= m.Len() {
		return nil
	}
	it := m.Item(i)
	if it.Kind != ItemGroup {
		return nil
	}
	return &m.groups[it.Group]
}

// Shown counts the flows that pass the filter.
func (m *Model) Shown() int {
	m.ensure()
	return m.shown
}

// ensure rebuilds the list lines when rows, pages, mode, sort, filter or
// collapse state changed, keeping selection and scroll on the same lines.
func (m *Model) ensure() {
	if !m.dirty {
		return
	}
	m.dirty = false
	m.items, m.groups = m.items[:0], m.groups[:0]
	switch m.mode {
	case ModeFlat:
		m.buildFlat()
	case ModeTree:
		m.buildTree()
	default:
		m.buildPages()
	}
	m.restore()
}

// sortRows orders row indices by the current sort key.
func (m *Model) sortRows(idx []int) {
	if m.sortKey == SortTime && !m.desc {
		if m.unordered { // arrival order is ID order
			slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(m.rows[a].ID, m.rows[b].ID) })
		}
		return // rows are kept in ID order, which is arrival order
	}
	less := m.less()
	sort.SliceStable(idx, func(a, b int) bool { return less(&m.rows[idx[a]], &m.rows[idx[b]]) })
}

// matching returns the indices of the rows that pass the filter.
func (m *Model) matching() []int {
	out := make([]int, 0, len(m.rows))
	for i := range m.rows {
		if m.filter.MatchRow(&m.rows[i]) {
			out = append(out, i)
		}
	}
	m.shown = len(out)
	m.foldHops(out)
	return out
}

func (m *Model) buildFlat() {
	idx := m.matching()
	m.sortRows(idx)
	if cap(m.items) < len(idx) {
		m.items = make([]Item, 0, len(idx))
	}
	for _, i := range idx {
		if !m.isHidden(i) {
			m.items = append(m.items, Item{Kind: ItemFlow, Row: i, Hops: m.hops[i]})
		}
	}
}

func (m *Model) addGroup(g Group) int {
	g.Collapsed = m.isCollapsed(&g)
	m.groups = append(m.groups, g)
	return len(m.groups) - 1
}

// tally adds a shown row to a group's numbers.
func (g *Group) tally(r *Row) {
	g.Shown++
	g.Bytes += r.Size
	if g.Start.IsZero() || (!r.Start.IsZero() && r.Start.Before(g.Start)) {
		g.Start = r.Start
	}
	if r.End.After(g.End) {
		g.End = r.End
	}
	if w := r.Worst(); w > g.Worst {
		g.Worst = w
	}
	if r.Failed() {
		g.Failed++
	}
}

// merge adds a nested group's numbers (an iframe's) to its page's.
func (g *Group) merge(c *Group) {
	g.Total += c.Total
	g.Shown += c.Shown
	g.Bytes += c.Bytes
	g.Failed += c.Failed
	if !c.Start.IsZero() && (g.Start.IsZero() || c.Start.Before(g.Start)) {
		g.Start = c.Start
	}
	if c.End.After(g.End) {
		g.End = c.End
	}
	if c.Worst > g.Worst {
		g.Worst = c.Worst
	}
}
