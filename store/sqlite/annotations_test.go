package sqlite_test

import (
	"context"
	"errors"
	"testing"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// Marks and comments are kept apart from the recording: a flow recorded
// again keeps its mark; an empty annotation removes the row; deleting a
// flow deletes its bodies and its annotation, and nothing else.
func TestAnnotationsAndDeleteFlow(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	s, err := db.StartSession(ctx, store.Session{})
	if err != nil {
		t.Fatal(err)
	}
	write := func(fs ...*store.Flow) {
		w := db.NewWriter(s.ID, sqlite.WriterOptions{Block: true})
		for _, f := range fs {
			w.RecordFlow(f)
		}
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	write(sampleFlow(1, []byte("one")), sampleFlow(2, []byte("two")))
	var a store.Annotator = db
	for _, an := range []store.Annotation{
		{FlowID: 1, Marked: true},
		{FlowID: 2, Comment: "why is this slow?"},
		{PageID: 1, Comment: "the checkout page"},
	} {
		if err := a.Annotate(ctx, s.ID, an); err != nil {
			t.Fatal(err)
		}
	}
	write(sampleFlow(1, []byte("one again"))) // recorded again, by another writer
	got, err := db.Annotations(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Annotation{{FlowID: 1, Marked: true}, {FlowID: 2, Comment: "why is this slow?"}, {PageID: 1, Comment: "the checkout page"}}
	if len(got) != len(want) {
		t.Fatalf("annotations %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("annotation %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if err := a.Annotate(ctx, s.ID, store.Annotation{FlowID: 1}); err != nil { // unmarked: removed
		t.Fatal(err)
	}
	if err := a.DeleteFlow(ctx, s.ID, 2); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteFlow(ctx, s.ID, 2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting it again: %v", err)
	}
	got, _ = db.Annotations(ctx, s.ID)
	if len(got) != 1 || got[0].PageID != 1 {
		t.Errorf("after unmarking 1 and deleting 2: %+v", got)
	}
	flows, err := db.Flows(ctx, store.FlowQuery{SessionID: s.ID, WithBodies: true})
	if err != nil || len(flows) != 1 || flows[0].ID != 1 || string(flows[0].RespBody.Data) != "one again" {
		t.Errorf("flows left: %v %+v", err, flows)
	}
	ro, err := sqlite.OpenReadOnly(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.Annotate(ctx, s.ID, store.Annotation{FlowID: 1, Marked: true}); err == nil {
		t.Error("a read-only handle annotated")
	}
}
