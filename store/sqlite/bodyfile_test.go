package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"hash/crc32"
	"os"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

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
		if i%4 != 0 {
			// lent, as the proxy's capture buffers lend large bodies:
			// runs of them written in one call, between the others
			f.RespBody = newLent(body).body(int64(n))
		}
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

// lentBuffer is a store.BodyBuffer as the proxy lends one: aligned memory
// with the data at its start, summed.
type lentBuffer struct {
	mem      []byte
	n        int
	released atomic.Int32
	blocks   atomic.Int32
}

func newLent(data []byte) *lentBuffer {
	raw := make([]byte, (len(data)+4095)&^4095+4096)
	skip := (4096 - int(uintptr(unsafe.Pointer(&raw[0]))%4096)) % 4096
	l := &lentBuffer{mem: raw[skip : skip+(len(data)+4095)&^4095], n: len(data)}
	copy(l.mem, data)
	return l
}

func (l *lentBuffer) body(size int64) store.Body {
	return store.Body{Data: l.mem[:l.n:l.n], Size: size, Truncated: size > int64(l.n), Buffer: l}
}
func (l *lentBuffer) Release() { l.released.Add(1) }
func (l *lentBuffer) CRC32C() uint32 {
	return crc32.Checksum(l.mem[:l.n], crc32.MakeTable(crc32.Castagnoli))
}
func (l *lentBuffer) Blocks() []byte { l.blocks.Add(1); return l.mem }

// Bodies in memory their capturer lends (store.BodyBuffer) are released
// exactly once, whatever becomes of them: stored (from their own blocks
// when the file takes direct I/O), kept past a queue budget that sheds
// bodies in memory of their own (the lender bounds them), or dropped
// after Close.
func TestLentBodies(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{MaxQueueBytes: 1, Linger: time.Hour})
	lent := []*lentBuffer{newLent(distinct(1, 64<<10)), newLent(distinct(2, 1<<20)), newLent(distinct(3, 300<<10+5))}
	for i, l := range lent {
		f := sampleFlow(int64(i+1), nil)
		f.RespBody = l.body(int64(l.n) + int64(i))
		w.RecordFlow(f)
	}
	own := sampleFlow(4, distinct(4, 100<<10)) // past the budget of 1 byte: shed
	w.RecordFlow(own)
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	late := newLent(distinct(5, 64<<10))
	f := sampleFlow(5, nil)
	f.RespBody = late.body(64 << 10)
	w.RecordFlow(f) // after Close: dropped
	for i, l := range append(lent, late) {
		if n := l.released.Load(); n != 1 {
			t.Errorf("lent body %d released %d times, want once", i+1, n)
		}
	}
	if st := w.Stats(); st.Written != 4 || st.BodiesShed != 1 || st.Dropped != 1 {
		t.Errorf("stats %+v: want 4 written, 1 body shed, 1 dropped", st)
	}
	flows, err := db.Flows(ctx, store.FlowQuery{SessionID: sess.ID, WithBodies: true})
	if err != nil || len(flows) != 4 {
		t.Fatalf("%d flows, %v", len(flows), err)
	}
	for i, l := range lent {
		if got := flows[i].RespBody; !bytes.Equal(got.Data, l.mem[:l.n]) || got.Missing || got.Buffer != nil {
			t.Errorf("flow %d: read back %d bytes (missing %v), want its %d", i+1, len(got.Data), got.Missing, l.n)
		}
	}
	if got := flows[3].RespBody; !got.Shed || got.Data != nil {
		t.Errorf("the body in memory of its own past the budget: shed %v, %d bytes", got.Shed, len(got.Data))
	}
	if direct, _ := sqlite.DirectIO(db); direct {
		for i, l := range lent {
			if l.blocks.Load() == 0 {
				t.Errorf("lent body %d was not written from its own blocks with direct I/O", i+1)
			}
		}
	}
}

// The writer commits before its linger ends once bodies pile up in its
// queue: bodies of their own from a quarter of MaxQueueBytes, lent ones
// from half of it (their lender bounds them, and fewer, larger
// transactions cost less a body). The linger here is an hour, so a
// commit that comes at all came from the queue's size.
func TestWriterCommitsWhenBodiesPileUp(t *testing.T) {
	const piece = 300 << 10
	const budget = 4 << 20 // own bodies wake it past 1 MiB, lent ones past 2 MiB
	for _, tc := range []struct {
		name  string
		lent  bool
		quiet int // flows that must not wake the writer
		wake  int // flows after which it must have committed
	}{
		{name: "own", quiet: 3, wake: 4},              // 900 KiB, then 1.2 MiB
		{name: "lent", lent: true, quiet: 6, wake: 7}, // 1.8 MiB, then 2.1 MiB
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := mustOpen(t)
			ctx := context.Background()
			sess, err := db.StartSession(ctx, store.Session{})
			if err != nil {
				t.Fatal(err)
			}
			w := db.NewWriter(sess.ID, sqlite.WriterOptions{Linger: time.Hour, MaxQueueBytes: budget})
			defer w.Close(ctx)
			record := func(id int) {
				data := distinct(id, piece)
				f := sampleFlow(int64(id), data)
				f.RespBody.Size = piece
				f.RespBody.Truncated = false
				if tc.lent {
					f.RespBody = newLent(data).body(piece)
				}
				w.RecordFlow(f)
			}
			for id := 1; id <= tc.quiet; id++ {
				record(id)
			}
			// Nothing may be committed yet; a wrong wake-up would have
			// committed within this pause.
			time.Sleep(200 * time.Millisecond)
			if got := w.Stats().Written; got != 0 {
				t.Fatalf("%d flows committed below the threshold", got)
			}
			for id := tc.quiet + 1; id <= tc.wake; id++ {
				record(id)
			}
			deadline := time.Now().Add(30 * time.Second)
			for w.Stats().Written < int64(tc.wake) {
				if time.Now().After(deadline) {
					t.Fatalf("%d of %d flows committed 30 s after the queue passed its threshold", w.Stats().Written, tc.wake)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}
