package sqlite_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// A session copied out is one file: its flows, pages, annotations and
// messages, and every body in its row, the body file's included.
func TestCopySessionIsOneFile(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	var last int64
	for s := range 2 {
		sess, _ := db.StartSession(ctx, store.Session{Source: "proxy"})
		last = sess.ID
		w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
		w.RecordFlow(sampleFlow(1, distinct(s, 500)))
		w.RecordFlow(sampleFlow(2, distinct(10+s, 300<<10)))
		w.RecordPage(&store.Page{ID: 1, URL: "https://shop.test/", Title: "Shop"})
		w.RecordMessages([]store.Message{{FlowID: 2, Seq: 1, Dir: store.MessageSend, Opcode: store.OpText, Size: 2, Data: []byte("hi")}})
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Annotate(ctx, last, store.Annotation{FlowID: 2, Marked: true, Comment: "the big one"}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "one.db")
	id, flows, err := db.CopySession(ctx, 0, out)
	if err != nil || id != last || flows != 2 {
		t.Fatalf("copied session %d with %d flows: %v", id, flows, err)
	}
	for _, s := range []string{sqlite.BodyFileSuffix, "-wal"} {
		if st, err := os.Stat(out + s); err == nil && st.Size() > 0 {
			t.Errorf("the copy has a %s file of %d bytes: it is not one file", s, st.Size())
		}
	}
	cp, err := sqlite.OpenReadOnly(out)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	sessions, _ := cp.Sessions(ctx)
	if len(sessions) != 1 || sessions[0].ID != last {
		t.Fatalf("the copy holds sessions %+v", sessions)
	}
	got, err := cp.Flows(ctx, store.FlowQuery{SessionID: last, WithBodies: true})
	if err != nil || len(got) != 2 || !bytes.Equal(got[1].RespBody.Data, distinct(11, 300<<10)) || !bytes.Equal(got[0].RespBody.Data, distinct(1, 500)) {
		t.Fatalf("bodies in the copy: %d flows, %v", len(got), err)
	}
	if msgs, _ := cp.Messages(ctx, last, 2); len(msgs) != 1 || string(msgs[0].Data) != "hi" {
		t.Errorf("messages in the copy: %+v", msgs)
	}
	if notes, _ := cp.Annotations(ctx, last); len(notes) != 1 || notes[0].Comment != "the big one" {
		t.Errorf("annotations in the copy: %+v", notes)
	}
	if pages, _ := cp.Pages(ctx, last); len(pages) != 1 || pages[0].Title != "Shop" {
		t.Errorf("pages in the copy: %+v", pages)
	}
	if _, _, err := db.CopySession(ctx, 0, out); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second copy over the first: %v", err)
	}
}
