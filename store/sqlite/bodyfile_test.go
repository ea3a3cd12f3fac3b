package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// distinct is n bytes that differ from any other call's (a body that
// neither compression nor sharing could flatter).
func distinct(seed, n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%d:%d,", seed, i)
	}
	return b.Bytes()[:n]
}

// Bodies of 64 KiB and more are written once, to the body file beside the
// database, and read back from it; smaller ones stay in their rows.
func TestLargeBodiesLiveInTheBodyFile(t *testing.T) {
	db, path := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	small, large, larger := distinct(1, 1000), distinct(2, 64<<10), distinct(3, 1<<20)
	w.RecordFlow(sampleFlow(1, small))
	w.RecordFlow(sampleFlow(2, large))
	f3 := sampleFlow(3, larger)
	f3.ReqBody = store.Body{Data: distinct(4, 100<<10), Size: 100 << 10}
	w.RecordFlow(f3)
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path + sqlite.BodyFileSuffix)
	if err != nil || st.Size() != int64(len(large)+len(larger)+100<<10) || st.Mode().Perm() != 0o600 {
		t.Fatalf("body file: %v %v", st, err)
	}
	raw, _ := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	defer raw.Close()
	var inline, inFile int
	raw.QueryRow(`SELECT count(*) FILTER (WHERE file_offset < 0 AND length(data) > 0), count(*) FILTER (WHERE file_offset >= 0 AND length(data) = 0) FROM bodies`).Scan(&inline, &inFile)
	if inline != 1 || inFile != 3 {
		t.Errorf("%d bodies inline and %d in the file, want 1 and 3", inline, inFile)
	}
	flows, err := db.Flows(ctx, store.FlowQuery{SessionID: sess.ID, WithBodies: true})
	if err != nil || len(flows) != 3 {
		t.Fatalf("%d flows, %v", len(flows), err)
	}
	for i, want := range [][]byte{small, large, larger} {
		if !bytes.Equal(flows[i].RespBody.Data, want) {
			t.Errorf("flow %d: %d bytes read back, want %d", i+1, len(flows[i].RespBody.Data), len(want))
		}
	}
	if !bytes.Equal(flows[2].ReqBody.Data, f3.ReqBody.Data) {
		t.Errorf("request body of flow 3 lost")
	}
	// A read-only opening reads them too.
	ro, err := sqlite.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if f, err := ro.Flow(ctx, sess.ID, 3); err != nil || !bytes.Equal(f.RespBody.Data, larger) {
		t.Errorf("read-only: %d bytes, %v", len(f.RespBody.Data), err)
	}
}

// A body file cut short (a power loss after the rows were committed) or
// changed: the body reads as not kept, never as other bytes, and the
// bodies it still holds read as before.
func TestBodyFileCutShort(t *testing.T) {
	db, path := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	first, second := distinct(1, 100<<10), distinct(2, 100<<10)
	for i, body := range [][]byte{first, second} {
		f := sampleFlow(int64(i+1), body)
		f.RespBody = store.Body{Data: body, Size: int64(len(body))} // whole: only the cut may make it less
		w.RecordFlow(f)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path+sqlite.BodyFileSuffix, 150<<10); err != nil {
		t.Fatal(err)
	}
	ro, err := sqlite.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	flows, err := ro.Flows(ctx, store.FlowQuery{SessionID: sess.ID, WithBodies: true})
	if err != nil || len(flows) != 2 {
		t.Fatalf("%d flows, %v", len(flows), err)
	}
	if !bytes.Equal(flows[0].RespBody.Data, first) {
		t.Errorf("the whole body is lost too")
	}
	if b := flows[1].RespBody; b.Data != nil || !b.Truncated || !b.Missing {
		t.Errorf("the cut body reads as %d bytes, truncated %v", len(b.Data), b.Truncated)
	}
	// Bytes changed in place: the checksum says they are not the body's.
	f, _ := os.OpenFile(path+sqlite.BodyFileSuffix, os.O_RDWR, 0)
	f.WriteAt([]byte("X"), 10)
	f.Close()
	if got, _ := ro.Flow(ctx, sess.ID, 1); got.RespBody.Data != nil || !got.RespBody.Truncated {
		t.Errorf("a changed body reads as %d bytes", len(got.RespBody.Data))
	}
}

// Bodies of any length, from memory aligned or not, read back exactly:
// the body file pads each to a block for direct I/O, and a transaction
// that rolls back leaves nothing a later body reads.
func TestBodyFileOddSizes(t *testing.T) {
	db, path := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	sizes := []int{64 << 10, 64<<10 + 1, 70001, 1<<20 + 4095, 3<<20 + 17}
	var want [][]byte
	for i, n := range sizes {
		body := distinct(100+i, n+1)[1:] // memory one byte off any alignment
		if i%2 == 0 {
			body = distinct(100+i, n) // and from the start of an allocation
		}
		want = append(want, body)
		f := sampleFlow(int64(i+1), body)
		f.RespBody = store.Body{Data: body, Size: int64(n)}
		w.RecordFlow(f)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	flows, err := db.Flows(ctx, store.FlowQuery{SessionID: sess.ID, WithBodies: true})
	if err != nil || len(flows) != len(sizes) {
		t.Fatalf("%d flows, %v", len(flows), err)
	}
	for i := range sizes {
		if !bytes.Equal(flows[i].RespBody.Data, want[i]) {
			t.Errorf("body of %d bytes read back as %d bytes, or other bytes", sizes[i], len(flows[i].RespBody.Data))
		}
	}
	st, _ := os.Stat(path + sqlite.BodyFileSuffix)
	var total int64
	for _, n := range sizes {
		total += int64(n)
	}
	if st.Size() < total || st.Size() > total+int64(len(sizes))*4096 {
		t.Errorf("body file of %d bytes for %d bytes of bodies", st.Size(), total)
	}
}

// A batch of many large bodies (one transaction: the linger outlasts the
// recording) is written side by side and every body reads back exactly.
func TestBodyFileBatch(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true, Linger: time.Hour, Batch: 1024})
	var want [][]byte
	for i := range 40 {
		n := 64<<10 + i*9973
		body := distinct(200+i, n+i%3)[i%3:] // some from unaligned memory
		want = append(want, body)
		f := sampleFlow(int64(i+1), body)
		f.RespBody = store.Body{Data: body, Size: int64(n)}
		if i%5 == 0 {
			f.ReqBody = store.Body{Data: distinct(900+i, 70000), Size: 70000}
		}
		w.RecordFlow(f)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st.Written != 40 || st.Failed != 0 {
		t.Fatalf("stats %+v", st)
	}
	flows, err := db.Flows(ctx, store.FlowQuery{SessionID: sess.ID, WithBodies: true})
	if err != nil || len(flows) != 40 {
		t.Fatalf("%d flows, %v", len(flows), err)
	}
	for i, f := range flows {
		if !bytes.Equal(f.RespBody.Data, want[i]) {
			t.Errorf("flow %d: %d bytes read back, want %d", i+1, len(f.RespBody.Data), len(want[i]))
		}
		if i%5 == 0 && !bytes.Equal(f.ReqBody.Data, distinct(900+i, 70000)) {
			t.Errorf("flow %d: request body lost", i+1)
		}
	}
}
