package model

// Selection and scrolling. Both are kept as indices for drawing and as
// keys (a flow ID or a group key) for rebuilding: when new flows arrive or
// the filter changes, the same line stays selected and the same line stays
// at the top, so live data never steals the selection or the scroll.

// SetHeight tells the model how many list lines fit on screen.
func (m *Model) SetHeight(h int) {
	if h < 1 {
		h = 1
	}
	m.height = h
	m.ensure()
	m.keep()
}

// Selected is the index of the selected line.
func (m *Model) Selected() int {
	m.ensure()
	return m.sel
}

// Top is the index of the first line on screen.
func (m *Model) Top() int {
	m.ensure()
	return m.top
}

// Select selects line i (clamped), scrolling as little as needed.
func (m *Model) Select(i int) {
	m.ensure()
	m.sel = i
	m.keep()
}

// SelectNewest selects the line of the newest flow the list shows (the
// highest ID; folded groups stay folded), else the last line: what
// following the newest flow keeps selected, wherever its group sits.
func (m *Model) SelectNewest() {
	m.ensure()
	best, at := int64(0), len(m.items)-1
	for i, it := range m.items {
		if it.Kind == ItemFlow && m.rows[it.Row].ID > best {
			best, at = m.rows[it.Row].ID, i
		}
	}
	m.Select(at)
}

// Move moves the selection by d lines.
func (m *Model) Move(d int) { m.Select(m.Selected() + d) }

// Home selects the first line.
func (m *Model) Home() { m.Select(0) }

// End selects the last line.
func (m *Model) End() { m.Select(m.Len() - 1) }

// Scroll moves the view by d lines (the mouse wheel), dragging the
// selection along only when it would leave the screen.
func (m *Model) Scroll(d int) {
	m.ensure()
	m.top += d
	m.clampTop()
	if m.sel < m.top {
		m.sel = m.top
	}
	if m.sel >= m.top+m.height {
		m.sel = m.top + m.height - 1
	}
	m.keep()
}

func (m *Model) clampTop() {
	if max := len(m.items) - m.height; m.top > max {
		m.top = max
	}
	if m.top < 0 {
		m.top = 0
	}
}

// keep clamps the selection, scrolls it into view, and records the keys.
func (m *Model) keep() {
	n := len(m.items)
	if m.sel >= n {
		m.sel = n - 1
	}
	if m.sel < 0 {
		m.sel = 0
	}
	if m.sel < m.top {
		m.top = m.sel
	}
	if m.sel >= m.top+m.height {
		m.top = m.sel - m.height + 1
	}
	m.clampTop()
	m.selKey, m.topKey = m.keyOf(m.sel), m.keyOf(m.top)
}

func (m *Model) keyOf(i int) itemKey {
	if i < 0 || i >= len(m.items) {
		return itemKey{}
	}
	it := m.items[i]
	if it.Kind == ItemFlow {
		return itemKey{flow: m.rows[it.Row].ID}
	}
	return itemKey{group: m.groups[it.Group].Key}
}

func (m *Model) find(k itemKey) int {
	if k == (itemKey{}) {
		return -1
	}
	for i, it := range m.items {
		if it.Kind == ItemFlow && k.flow != 0 && m.rows[it.Row].ID == k.flow {
			return i
		}
		if it.Kind == ItemGroup && k.group != "" && m.groups[it.Group].Key == k.group {
			return i
		}
	}
	return -1
}

// restore puts selection and scroll back on their lines after a rebuild.
func (m *Model) restore() {
	if i := m.find(m.selKey); i >= 0 {
		m.sel = i
	}
	if i := m.find(m.topKey); i >= 0 {
		m.top = i
	} else {
		m.top = m.sel - m.height/3 // a new arrangement: show what leads to the selection
	}
	m.keep()
}

// Toggle collapses or expands the group on line i. Collapsing the group
// that holds the selection selects the group.
func (m *Model) Toggle(i int) {
	g := m.GroupAt(i)
	if g == nil {
		return
	}
	m.SetCollapsed(i, !g.Collapsed)
}

// SetCollapsed collapses or expands the group on line i.
func (m *Model) SetCollapsed(i int, collapsed bool) {
	g := m.GroupAt(i)
	if g == nil || g.Collapsed == collapsed {
		return
	}
	if collapsed && m.sel > i && m.sel <= m.groupEnd(i) {
		m.selKey = itemKey{group: g.Key}
	}
	m.collapsed[g.Key] = collapsed
	m.dirty = true
	m.ensure()
}

// groupEnd is the last line inside the group on line i.
func (m *Model) groupEnd(i int) int {
	d := m.items[i].Depth
	j := i + 1
	for j < len(m.items) && m.items[j].Depth > d {
		j++
	}
	return j - 1
}

// Parent returns the line of the group that holds line i, or -1.
func (m *Model) Parent(i int) int {
	m.ensure()
	if i <= 0 || i >= len(m.items) {
		return -1
	}
	d := m.items[i].Depth
	for j := i - 1; j >= 0; j-- {
		if m.items[j].Depth < d {
			return j
		}
	}
	return -1
}

// SelectFlow selects a flow by ID, expanding the groups around it. It
// reports false when the flow is not in the list (filtered out).
func (m *Model) SelectFlow(id int64) bool {
	r := m.RowByID(id)
	if r == nil {
		return false
	}
	pid := m.PageOf(r)
	for _, key := range []string{"page:" + itoa(m.TopPage(pid)), "page:" + itoa(pid),
		BackgroundGroup(r).Key, "host:" + r.Host, "dir:" + r.Host + dirOf(r.Path)} {
		if c, chosen := m.collapsed[key]; c || !chosen {
			m.collapsed[key] = false // chosen, so a background group's default cannot fold it
			m.dirty = true
		}
	}
	m.ensure()
	i := m.find(itemKey{flow: id})
	if i < 0 {
		return false
	}
	m.Select(i)
	return true
}
