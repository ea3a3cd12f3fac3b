package model_test

import (
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
)

// Marks and comments ride on the rows (a flow read again keeps them),
// filter with marked, commented and comment:TEXT, and a removed flow
// leaves the list.
func TestAnnotationsOnRows(t *testing.T) {
	m := sample()
	m.SetMode(model.ModeFlat)
	if !m.SetAnnotations([]store.Annotation{{FlowID: 2, Marked: true}, {FlowID: 5, Comment: "Missing Logo"}, {PageID: 1, Comment: "home"}}) {
		t.Error("SetAnnotations saw no change")
	}
	m.Add([]store.Flow{flow(2, 1, "https://shop.test/app.css", 200, 10, 20, 2048)}) // read again
	for expr, want := range map[string][]string{
		"marked":         {"F 2"},
		"commented":      {"F 5"},
		"comment:logo":   {"F 5"},
		"-marked page:1": {"F 1", "F 5"},
	} {
		f, err := model.ParseFilter(expr)
		if err != nil {
			t.Fatal(err)
		}
		m.SetFilter(f)
		check(t, m, want...)
	}
	if m.PageComment(1) != "home" || !m.FlowNote(2).Marked || m.Marked() != 1 {
		t.Errorf("page comment %q, flow 2 %+v, marked %d", m.PageComment(1), m.FlowNote(2), m.Marked())
	}
	m.Annotate(store.Annotation{FlowID: 2}) // unmarked
	f, _ := model.ParseFilter("marked")
	m.SetFilter(f)
	check(t, m)
	m.SetFilter(model.Filter{})
	m.Select(1) // flow 2
	if !m.Remove(2) || m.FlowCount() != 8 || m.RowByID(2) != nil {
		t.Fatalf("after removing flow 2: %d flows", m.FlowCount())
	}
	check(t, m, "F 1", "F 3", "F 4", "F 5", "F 6", "F 7", "F 8", "F 9")
	if r := m.RowAt(m.Selected()); r == nil || r.ID != 3 {
		t.Errorf("the selection went to %+v, want the next flow", r)
	}
	// Export's side: the filter on a flow and its annotation.
	fl := flow(7, 1, "https://x.test/", 200, 0, 1, 0)
	if f, _ := model.ParseFilter("comment:why"); !f.MatchAnnotated(&fl, store.Annotation{FlowID: 7, Comment: "why?"}) || f.Match(&fl) {
		t.Error("MatchAnnotated")
	}
}
