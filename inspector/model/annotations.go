package model

import (
	"slices"

	"github.com/glassbox-dev/glassbox/store"
)

// What people wrote on flows and page loads (store.Annotation): a flow's
// mark and comment live on its Row, so the list, the filter (marked,
// comment:TEXT) and the sort see them; a page load's comment is kept by
// page. Deleting a flow removes its row.

// SetAnnotations replaces every annotation (read from the store). It
// reports whether anything changed.
func (m *Model) SetAnnotations(list []store.Annotation) bool {
	notes, pages := map[int64]store.Annotation{}, map[int64]string{}
	for _, a := range list {
		if a.FlowID != 0 {
			notes[a.FlowID] = a
		} else if a.PageID != 0 {
			pages[a.PageID] = a.Comment
		}
	}
	if mapsEqual(notes, m.notes) && mapsEqual(pages, m.pageNote) {
		return false
	}
	for id := range m.notes {
		if _, ok := notes[id]; !ok {
			m.setNote(store.Annotation{FlowID: id})
		}
	}
	for _, a := range notes {
		m.setNote(a)
	}
	m.pageNote = pages
	m.dirty = true
	return true
}

func mapsEqual[V comparable](a, b map[int64]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Annotate applies one annotation (just written to the store).
func (m *Model) Annotate(a store.Annotation) {
	if a.FlowID != 0 {
		m.setNote(a)
	} else if a.Empty() {
		delete(m.pageNote, a.PageID)
	} else {
		m.pageNote[a.PageID] = a.Comment
	}
	m.dirty = true
}

func (m *Model) setNote(a store.Annotation) {
	if a.Empty() {
		delete(m.notes, a.FlowID)
	} else {
		m.notes[a.FlowID] = a
	}
	if r := m.RowByID(a.FlowID); r != nil {
		r.Marked, r.Comment = a.Marked, a.Comment
	}
}

// FlowNote is a flow's annotation (zero when none).
func (m *Model) FlowNote(id int64) store.Annotation { return m.notes[id] }

// PageComment is a page load's comment, "" when none.
func (m *Model) PageComment(id int64) string { return m.pageNote[id] }

// Marked counts the marked flows.
func (m *Model) Marked() int {
	n := 0
	for _, a := range m.notes {
		if a.Marked && m.byID != nil {
			if _, ok := m.byID[a.FlowID]; ok {
				n++
			}
		}
	}
	return n
}

// Remove forgets a flow deleted from the store. The selection moves to the
// line that takes its place.
func (m *Model) Remove(id int64) bool {
	i, ok := m.byID[id]
	if !ok {
		return false
	}
	m.unlink(&m.rows[i], &Row{})
	m.rows = slices.Delete(m.rows, i, i+1)
	delete(m.notes, id)
	m.byID, m.byPage = make(map[int64]int, len(m.rows)), map[int64][]int{}
	for j := range m.rows {
		m.byID[m.rows[j].ID] = j
		m.byPage[m.rows[j].PageID] = append(m.byPage[m.rows[j].PageID], j)
	}
	if m.selKey.flow == id {
		m.selKey = itemKey{} // restore keeps the line number
	}
	m.dirty = true
	return true
}
