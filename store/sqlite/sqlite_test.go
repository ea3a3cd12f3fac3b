package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
	"github.com/glassbox-dev/glassbox/store/storetest"
)

func mustOpen(tb testing.TB) (*sqlite.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "sub", "glassbox.db")
	db, err := sqlite.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, path
}

func sampleFlow(id int64, body []byte) *store.Flow {
	t0 := time.Unix(1700000000, int64(id)*1000)
	return &store.Flow{
		ID: id, PageID: 1, ConnID: 3, ConnReused: id > 1, Kind: store.KindHTTP, MITM: true,
		Method: "GET", URL: fmt.Sprintf("https://shop.test/item/%d?x=1", id), Proto: "HTTP/1.1",
		ReqHeaders: store.Headers{{Name: "Host", Value: "shop.test"}, {Name: "Accept", Value: "*/*"}},
		Status:     200, StatusText: "OK", RespProto: "HTTP/2.0",
		RespHeaders: store.Headers{{Name: "Content-Type", Value: "text/plain"}, {Name: "Set-Cookie", Value: "a=1"}, {Name: "Set-Cookie", Value: "b=2"}},
		RespBody:    store.Body{Data: body, Size: int64(len(body)) * 3, Truncated: true},
		ServerAddr:  "127.0.0.1:443",
		Start:       t0, GotConn: t0.Add(time.Millisecond), WroteRequest: t0.Add(2 * time.Millisecond),
		FirstByte: t0.Add(10 * time.Millisecond), End: t0.Add(12 * time.Millisecond),
		ReqHeaderSize: 80, RespHeaderSize: 120,
	}
}

func TestRoundTrip(t *testing.T) {
	db, path := mustOpen(t)
	ctx := context.Background()
	sess, err := db.StartSession(ctx, store.Session{Listen: "127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{})
	body := bytes.Repeat([]byte("ab"), 100)
	for i := int64(1); i <= 10; i++ {
		w.RecordFlow(sampleFlow(i, body))
	}
	failed := sampleFlow(11, nil)
	failed.Status, failed.RespHeaders, failed.RespBody = 0, nil, store.Body{}
	failed.Error = &store.FlowError{Phase: store.PhaseConnect, Kind: "refused", Message: "connection refused"}
	w.RecordFlow(failed)
	w.RecordConn(&store.Conn{ID: 3, Host: "shop.test", Port: "443", RemoteAddr: "127.0.0.1:443",
		Attempts: []store.DialAttempt{{Addr: "127.0.0.1:443", Outcome: "ok"}},
		TLS:      &store.TLSInfo{Version: "TLS 1.3", ALPN: "h2"}})
	w.RecordLookup(&store.Lookup{ID: 1, Name: "shop.test", Source: "network", Answers: []store.DNSAnswer{{Type: "A", Addr: "127.0.0.1", TTL: 60}}})
	w.RecordPage(&store.Page{ID: 1, FlowID: 1, URL: "https://shop.test/", Title: "Shop"})
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st.Written != 14 || st.Dropped != 0 || st.Failed != 0 {
		t.Fatalf("stats = %+v, want 14 written", st)
	}
	if err := db.EndSession(ctx, sess.ID, time.Now()); err != nil {
		t.Fatal(err)
	}

	got, err := db.Flow(ctx, sess.ID, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := sampleFlow(4, body)
	want.SessionID = sess.ID
	if got.URL != want.URL || got.Status != 200 || !got.ConnReused || !got.MITM || got.RespProto != "HTTP/2.0" {
		t.Errorf("flow = %+v", got)
	}
	if !bytes.Equal(got.RespBody.Data, body) || got.RespBody.Size != int64(len(body))*3 || !got.RespBody.Truncated {
		t.Errorf("body = %d bytes size %d truncated %v", len(got.RespBody.Data), got.RespBody.Size, got.RespBody.Truncated)
	}
	if v := got.RespHeaders.Values("set-cookie"); len(v) != 2 || v[1] != "b=2" {
		t.Errorf("headers lost order or repeats: %v", got.RespHeaders)
	}
	if !got.FirstByte.Equal(want.FirstByte) || got.Duration() != 12*time.Millisecond {
		t.Errorf("times: first byte %v, duration %v", got.FirstByte, got.Duration())
	}
	f11, err := db.Flow(ctx, sess.ID, 11)
	if err != nil || f11.Error == nil || f11.Error.Phase != store.PhaseConnect || f11.Error.Kind != "refused" {
		t.Errorf("error flow = %+v, %v", f11.Error, err)
	}
	if _, err := db.Flow(ctx, sess.ID, 99); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing flow: err = %v, want ErrNotFound", err)
	}

	// Keyset paging returns every flow once, in order, without bodies unless asked.
	var ids []int64
	err = store.EachFlow(ctx, db, store.FlowQuery{SessionID: sess.ID}, 3, func(f *store.Flow) error {
		if f.RespBody.Data != nil {
			t.Errorf("flow %d: body loaded without WithBodies", f.ID)
		}
		ids = append(ids, f.ID)
		return nil
	})
	if err != nil || len(ids) != 11 || ids[0] != 1 || ids[10] != 11 {
		t.Errorf("paging: ids %v err %v", ids, err)
	}

	// Summaries skip header blocks but keep the response's Content-Type.
	sum, err := db.Flows(ctx, store.FlowQuery{SessionID: sess.ID, Summary: true, AfterID: 9})
	if err != nil || len(sum) != 2 || sum[0].ReqHeaders != nil || sum[0].RespHeaders.Get("content-type") != "text/plain" ||
		sum[0].RespBody.Size != int64(len(body))*3 || sum[1].RespHeaders != nil {
		t.Errorf("summaries = %+v, %v", sum, err)
	}

	if byPage, err := db.Flows(ctx, store.FlowQuery{SessionID: sess.ID, PageID: 1}); err != nil || len(byPage) != 11 {
		t.Errorf("flows of page 1: %d, %v", len(byPage), err)
	}
	if byPage, _ := db.Flows(ctx, store.FlowQuery{SessionID: sess.ID, PageID: 2}); len(byPage) != 0 {
		t.Errorf("flows of page 2: %d, want none", len(byPage))
	}

	conns, err := db.Conns(ctx, sess.ID)
	if err != nil || len(conns) != 1 || conns[0].TLS == nil || conns[0].TLS.ALPN != "h2" || len(conns[0].Attempts) != 1 {
		t.Errorf("conns = %+v, %v", conns, err)
	}
	lks, err := db.Lookups(ctx, sess.ID)
	if err != nil || len(lks) != 1 || lks[0].Answers[0].TTL != 60 {
		t.Errorf("lookups = %+v, %v", lks, err)
	}

	// A separate read-only handle (what `glassbox inspect` uses) sees it all.
	ro, err := sqlite.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	s, err := ro.Session(ctx, 0)
	if err != nil || s.ID != sess.ID || s.Flows != 11 || s.Pages != 1 || s.Ended.IsZero() {
		t.Errorf("latest session = %+v, %v", s, err)
	}
	if res, err := ro.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Errorf("integrity_check = %q, %v", res, err)
	}
}

func TestRecordReplacesEarlierRow(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{})
	f := sampleFlow(1, []byte("first"))
	w.RecordFlow(f)
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	g := sampleFlow(1, nil) // recorded again at its end, this time with no body
	g.Status = 404
	w.RecordFlow(g)
	w.Close(ctx)
	got, err := db.Flow(ctx, sess.ID, 1)
	if err != nil || got.Status != 404 || got.RespBody.Data != nil {
		t.Fatalf("got status %d body %q err %v; want the second recording", got.Status, got.RespBody.Data, err)
	}
}

// A second writer on the same session (a session written to again) meets
// rows it did not write: its plain INSERT fails on the key, and the flow
// replaces the row instead, without losing the rest of its batch.
func TestSecondWriterReplacesRows(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{})
	w.RecordFlow(sampleFlow(1, []byte("first")))
	w.RecordFlow(sampleFlow(2, []byte("kept")))
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	w2 := db.NewWriter(sess.ID, sqlite.WriterOptions{})
	again := sampleFlow(1, []byte("second"))
	again.Status = 201
	w2.RecordFlow(again)
	w2.RecordFlow(sampleFlow(3, []byte("third")))
	if err := w2.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := w2.Stats(); st.Written != 2 || st.Failed != 0 {
		t.Fatalf("second writer stats %+v: want 2 written, none failed", st)
	}
	for id, want := range map[int64]string{1: "second", 2: "kept", 3: "third"} {
		got, err := db.Flow(ctx, sess.ID, id)
		if err != nil || string(got.RespBody.Data) != want {
			t.Errorf("flow %d: body %q err %v; want %q", id, got.RespBody.Data, err, want)
		}
		if id == 1 && got.Status != 201 {
			t.Errorf("flow 1: status %d, want the second recording's 201", got.Status)
		}
	}
}

// New databases get glassbox's page size (16 KiB); existing files keep theirs.
func TestPageSizeOfNewDatabases(t *testing.T) {
	db, path := mustOpen(t)
	db.Close()
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var size int
	var mode string
	if err := raw.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil || size != 16384 {
		t.Errorf("page_size = %d, %v; want 16384", size, err)
	}
	if err := raw.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}

	old := filepath.Join(t.TempDir(), "old.db")
	o, err := sql.Open("sqlite3", "file:"+old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Exec(`PRAGMA page_size = 4096; CREATE TABLE t(x)`); err != nil {
		t.Fatal(err)
	}
	o.Close()
	db2, err := sqlite.Open(old)
	if err != nil {
		t.Fatal(err)
	}
	db2.Close()
	o, _ = sql.Open("sqlite3", "file:"+old)
	defer o.Close()
	if err := o.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil || size != 4096 {
		t.Errorf("an existing file's page_size became %d, %v; want 4096 kept", size, err)
	}
}

func TestFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "glassbox.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", p, st.Mode().Perm(), want)
		}
	}
	// A file someone made world-readable is tightened on the next open.
	os.Chmod(path, 0o644)
	db, err = sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode after reopen %v, want 0600", st.Mode().Perm())
	}
}

func TestQueueFullDropsAndCounts(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	// A queue of 1 and a writer that is busy committing: some Records must
	// be refused at once rather than wait.
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Queue: 1, Batch: 1})
	const n = 2000
	for i := int64(1); i <= n; i++ {
		w.RecordFlow(sampleFlow(i, nil))
	}
	w.Close(ctx)
	st := w.Stats()
	if st.Dropped == 0 {
		t.Errorf("no drops with a queue of 1: %+v", st)
	}
	if st.Written+st.Dropped != n {
		t.Errorf("written %d + dropped %d != %d recorded", st.Written, st.Dropped, n)
	}
	w.RecordFlow(sampleFlow(n+1, nil))
	if w.Stats().Dropped != st.Dropped+1 {
		t.Errorf("a Record after Close was not counted as dropped")
	}
}

func TestOpenReadOnlyErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := sqlite.OpenReadOnly(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("opening a missing database succeeded")
	}
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("not a database at all, just text padding it out............"), 0o600)
	if _, err := sqlite.OpenReadOnly(junk); err == nil {
		t.Error("opening a text file as a database succeeded")
	}
}

func TestDeleteSession(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	a, _ := db.StartSession(ctx, store.Session{})
	b, _ := db.StartSession(ctx, store.Session{})
	for _, s := range []store.Session{a, b} {
		w := db.NewWriter(s.ID, sqlite.WriterOptions{})
		w.RecordFlow(sampleFlow(1, []byte("body")))
		w.Close(ctx)
	}
	if err := db.DeleteSession(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Flow(ctx, a.ID, 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("flow of deleted session still there: %v", err)
	}
	if f, err := db.Flow(ctx, b.ID, 1); err != nil || string(f.RespBody.Data) != "body" {
		t.Errorf("other session damaged: %v", err)
	}
	if err := db.DeleteSession(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
}

// BenchmarkWriter measures flows/s through the batching writer with 2 KiB
// response bodies (issue 7's target: >= 20,000 flows/s).
func BenchmarkWriter(b *testing.B) {
	db, _ := mustOpen(b)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	body := bytes.Repeat([]byte("x"), 2048)
	flows := make([]*store.Flow, b.N)
	for i := range flows {
		flows[i] = sampleFlow(int64(i+1), body)
	}
	b.ResetTimer()
	for _, f := range flows {
		w.RecordFlow(f)
	}
	if err := w.Close(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
	if st := w.Stats(); st.Written != int64(b.N) {
		b.Fatalf("written %d of %d", st.Written, b.N)
	}
}

// A full database (here: capped with SetMaxSize, which fails exactly as a
// full disk does) makes writes fail; the writer counts them, reports the
// error, and keeps accepting values without blocking.
func TestFullDatabaseCounted(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	if err := db.SetMaxSize(128 << 10); err != nil {
		t.Fatal(err)
	}
	var reported []error
	var mu sync.Mutex
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true, OnError: func(err error) {
		mu.Lock()
		reported = append(reported, err)
		mu.Unlock()
	}})
	body := bytes.Repeat([]byte("z"), 8<<10)
	for i := int64(1); i <= 200; i++ {
		w.RecordFlow(sampleFlow(i, body))
	}
	w.Close(ctx)
	st := w.Stats()
	if st.Failed == 0 || st.Written+st.Failed != 200 || !strings.Contains(st.LastError, "full") {
		t.Errorf("stats %+v: want failures for a full database", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) == 0 {
		t.Error("the failure was not reported")
	}
	// What was written is intact.
	if res, err := db.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Errorf("integrity after a full disk: %q %v", res, err)
	}
}

// When bodies arrive faster than they can be stored, flows keep being
// recorded but without their body copies, so memory stays bounded.
func TestBodiesShedPastTheByteBudget(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{MaxQueueBytes: 1 << 20, Queue: 100000})
	body := bytes.Repeat([]byte("m"), 256<<10)
	for i := int64(1); i <= 64; i++ { // 16 MiB offered at once against a 1 MiB budget
		w.RecordFlow(sampleFlow(i, body))
	}
	w.Close(ctx)
	st := w.Stats()
	if st.BodiesShed == 0 || st.Written != 64 || st.Dropped != 0 {
		t.Fatalf("stats %+v: want every flow written, some without bodies", st)
	}
	flows, _ := db.Flows(ctx, store.FlowQuery{SessionID: sess.ID, WithBodies: true})
	shed := 0
	for _, f := range flows {
		if f.RespBody.Data == nil {
			shed++
			if !f.RespBody.Truncated || f.RespBody.Size == 0 {
				t.Errorf("flow %d: shed body not marked: %+v", f.ID, f.RespBody)
			}
		}
	}
	if int64(shed) != st.BodiesShed {
		t.Errorf("%d flows without bodies, stats say %d", shed, st.BodiesShed)
	}
}

// AdmitBody answers by the rule RecordFlow sheds by, and counts refusals;
// a blocking writer (imports) admits everything. The long linger keeps the
// queue from draining while the test looks.
func TestAdmitBody(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{MaxQueueBytes: 1 << 20, Linger: time.Hour})
	body := bytes.Repeat([]byte("a"), 256<<10)
	for i := int64(1); i <= 4; i++ {
		if !w.AdmitBody(int64(len(body))) {
			t.Fatalf("flow %d: refused with %d KiB queued of 1024", i, (i-1)*256)
		}
		w.RecordFlow(sampleFlow(i, body))
	}
	if w.AdmitBody(1) {
		t.Error("admitted a byte past a full budget")
	}
	if !w.AdmitBody(0) {
		t.Error("refused a flow with no body")
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st.BodiesShed != 1 || st.Written != 4 {
		t.Errorf("stats %+v: want 4 written with their bodies and 1 refusal counted", st)
	}

	blocking := db.NewWriter(sess.ID, sqlite.WriterOptions{MaxQueueBytes: 1, Block: true})
	defer blocking.Close(ctx)
	if !blocking.AdmitBody(1 << 30) {
		t.Error("a blocking writer refused a body")
	}
}

// A batch that does not fit whole is written value by value: what fits is
// stored, the rest counted as failed, and the writer gives up on a batch
// after a run of failures instead of hearing the full disk refuse each.
func TestFullDatabaseStoresWhatFits(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	if err := db.SetMaxSize(2 << 20); err != nil {
		t.Fatal(err)
	}
	// One batch (the linger outlasts the recording) of 4 MiB against 2 MiB.
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true, Linger: time.Hour, Batch: 1024})
	body := bytes.Repeat([]byte("f"), 64<<10)
	const n = 64
	for i := int64(1); i <= n; i++ {
		w.RecordFlow(sampleFlow(i, body))
	}
	w.Close(ctx)
	st := w.Stats()
	if st.Written < 8 || st.Failed == 0 || st.Written+st.Failed != n {
		t.Fatalf("stats %+v: want the flows that fit in 2 MiB written (8 or more) and the rest counted as failed", st)
	}
	flows, err := db.Flows(ctx, store.FlowQuery{SessionID: sess.ID, WithBodies: true})
	if err != nil || int64(len(flows)) != st.Written {
		t.Fatalf("%d flows readable (%v), stats say %d written", len(flows), err, st.Written)
	}
	for _, f := range flows {
		if len(f.RespBody.Data) != len(body) {
			t.Errorf("flow %d stored with %d body bytes, want %d", f.ID, len(f.RespBody.Data), len(body))
		}
	}
	if res, err := db.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Errorf("integrity after a full disk: %q %v", res, err)
	}
}

// BenchmarkReadFlows measures the reader: a page of 1,000 flows with their
// header blocks (full) and as the inspector's list reads them (summary).
func BenchmarkReadFlows(b *testing.B) {
	db, _ := mustOpen(b)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	const n = 1000
	for i := int64(1); i <= n; i++ {
		w.RecordFlow(sampleFlow(i, nil))
	}
	if err := w.Close(ctx); err != nil {
		b.Fatal(err)
	}
	for _, summary := range []bool{false, true} {
		name := map[bool]string{false: "full", true: "summary"}[summary]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				flows, err := db.Flows(ctx, store.FlowQuery{SessionID: sess.ID, Summary: summary})
				if err != nil || len(flows) != n {
					b.Fatalf("%d flows, %v", len(flows), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/flow")
		})
	}
}

// A session its proxy left open is closed at the last moment recorded in
// it (its flows' starts and ends), or at its start when it holds none; a
// session that ended is left as it was.
func TestInterruptSession(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	open, _ := db.StartSession(ctx, store.Session{Started: t0})
	w := db.NewWriter(open.ID, sqlite.WriterOptions{Block: true})
	w.RecordFlow(&store.Flow{ID: 1, Kind: store.KindHTTP, Method: "GET", URL: "http://a.test/", Start: t0.Add(time.Second), End: t0.Add(3 * time.Second)})
	w.RecordFlow(&store.Flow{ID: 2, Kind: store.KindHTTP, Method: "GET", URL: "http://a.test/hung", Start: t0.Add(5 * time.Second)})
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	empty, _ := db.StartSession(ctx, store.Session{Started: t0.Add(time.Minute)})
	ended, _ := db.StartSession(ctx, store.Session{Started: t0})
	db.EndSession(ctx, ended.ID, t0.Add(time.Hour))

	for _, tc := range []struct {
		id          int64
		end         time.Time
		interrupted bool
	}{{open.ID, t0.Add(5 * time.Second), true}, {empty.ID, t0.Add(time.Minute), true}, {ended.ID, t0.Add(time.Hour), false}} {
		s, err := db.InterruptSession(ctx, tc.id)
		if err != nil || !s.Ended.Equal(tc.end) || s.Interrupted != tc.interrupted {
			t.Errorf("session %d: ended %v interrupted %v (%v), want %v %v", tc.id, s.Ended, s.Interrupted, err, tc.end, tc.interrupted)
		}
	}
	if s, _ := db.Session(ctx, open.ID); s.Length() != "5s, interrupted" {
		t.Errorf("Length %q", s.Length())
	}
}

// Reading by change: a flow written again (in flight, then ended) comes
// back after the flows written between, with a higher change number; two
// writers on one session (resend attached to it) never share a number.
func TestFlowsByChange(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	s, _ := db.StartSession(ctx, store.Session{})
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	write := func(w *sqlite.Writer, f store.Flow) {
		t.Helper()
		w.RecordFlow(&f)
		if err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	changed := func(after int64) (ids []int64, revs []int64) {
		t.Helper()
		err := store.EachFlow(ctx, db, store.FlowQuery{SessionID: s.ID, Changed: true, AfterRev: after, Summary: true}, 2, func(f *store.Flow) error {
			ids, revs = append(ids, f.ID), append(revs, f.Rev)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids, revs
	}
	w := db.NewWriter(s.ID, sqlite.WriterOptions{Block: true})
	other := db.NewWriter(s.ID, sqlite.WriterOptions{Block: true})
	slow := store.Flow{ID: 1, Kind: store.KindHTTP, Method: "GET", URL: "http://a.test/slow", Start: t0}
	write(w, slow)
	write(w, store.Flow{ID: 2, Kind: store.KindHTTP, Method: "GET", URL: "http://a.test/fast", Start: t0, End: t0.Add(time.Millisecond), Status: 200})
	write(other, store.Flow{ID: 3, Kind: store.KindHTTP, Method: "GET", URL: "http://a.test/resent", Start: t0, ResendOf: 2})
	ids, revs := changed(0)
	if !slices.Equal(ids, []int64{1, 2, 3}) || !slices.Equal(revs, []int64{1, 2, 3}) {
		t.Fatalf("by change from 0: flows %v revs %v", ids, revs)
	}
	slow.End, slow.Status = t0.Add(3*time.Second), 200
	write(w, slow)
	ids, revs = changed(3)
	if !slices.Equal(ids, []int64{1}) || revs[0] != 4 {
		t.Errorf("after 3: flows %v revs %v, want the slow flow again at 4", ids, revs)
	}
	if f, _ := db.Flow(ctx, s.ID, 1); f.Status != 200 || f.Rev != 4 {
		t.Errorf("the slow flow as read: status %d rev %d", f.Status, f.Rev)
	}
	w.Close(ctx)
	other.Close(ctx)
}

// A browser connection's TLS session is one value its flows share: each
// flow reads back the session it was recorded with, whichever came before.
func TestSharedClientTLS(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	a := &store.TLSInfo{Version: "TLS 1.3", ALPN: "h2", SNI: "a.test"}
	b := &store.TLSInfo{Version: "TLS 1.2", ALPN: "http/1.1", SNI: "b.test"}
	want := []*store.TLSInfo{a, a, nil, b, a, nil, b}
	for i := range 1100 { // more connections than the memo keeps: it forgets, and encodes again
		want = append(want, &store.TLSInfo{Version: "TLS 1.3", SNI: fmt.Sprintf("c%d.test", i)}, a)
	}
	for i, tl := range want {
		f := sampleFlow(int64(i+1), nil)
		f.ClientTLS = tl
		w.RecordFlow(f)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for i, tl := range want {
		f, err := db.Flow(ctx, sess.ID, int64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		if (f.ClientTLS == nil) != (tl == nil) || tl != nil && f.ClientTLS.SNI != tl.SNI {
			t.Errorf("flow %d: client TLS %+v, want %+v", i+1, f.ClientTLS, tl)
		}
	}
}

// After a busy batch (hundreds of values) the writer lingers BusyLinger
// before the next commit; after a quiet one, Linger again.
func TestBusyWriterLingersLonger(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	const linger = 300 * time.Millisecond // the 300 flows below queue well within it
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Linger: linger, BusyLinger: time.Hour})
	defer w.Close(ctx)
	const busy = 300
	for i := int64(1); i <= busy; i++ {
		w.RecordFlow(sampleFlow(i, nil))
	}
	if err := w.Flush(ctx); err != nil || w.Stats().Written != busy { // one batch: the writer lingered on the first
		t.Fatalf("Flush: %v, %d written", err, w.Stats().Written)
	}
	w.RecordFlow(sampleFlow(busy+1, nil))
	time.Sleep(3 * linger) // the hour-long linger has not passed
	if got := w.Stats().Written; got != busy {
		t.Fatalf("%d flows written three Lingers after a busy batch, want %d (the next waits BusyLinger)", got, busy)
	}
	if err := w.Flush(ctx); err != nil || w.Stats().Written != busy+1 {
		t.Fatalf("Flush: %v, %d written", err, w.Stats().Written)
	}
	w.RecordFlow(sampleFlow(busy+2, nil)) // after a quiet batch (the one Flush cut short): Linger
	storetest.Eventually(t, 10*time.Second, "a flow after a quiet batch committed after Linger",
		func() bool { return w.Stats().Written == busy+2 })
}
