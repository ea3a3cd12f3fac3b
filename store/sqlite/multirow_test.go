package sqlite_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// One batch of flows goes in as runs of rows (multirow.go). Every flow must
// come back with its own bodies and fields, whatever the run it fell in:
// runs longer than one statement's rows, flows without a body, with both
// bodies, with a body for the body file, a flow recorded twice in the
// batch (in flight, then ended), and a connection record between flows.
func TestRunsOfFlows(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true, Linger: time.Hour, Batch: 1024})
	const n = 75
	want := map[int64]*store.Flow{}
	var order []int64 // IDs in the order their last recording was made
	for i := int64(1); i <= n; i++ {
		var body []byte
		switch {
		case i%7 == 0: // none
		case i == 20:
			body = bytes.Repeat([]byte{byte(i)}, 100<<10) // the body file's
		default:
			body = []byte(fmt.Sprintf("response body of flow %d", i))
		}
		f := sampleFlow(i, body)
		f.Status = 200 + int(i)
		if i%5 == 0 {
			f.ReqBody = store.Body{Data: []byte(fmt.Sprintf("request body of flow %d", i)), Size: 24}
		}
		if i == 30 {
			inFlight := sampleFlow(i, nil)
			inFlight.Status = 0
			w.RecordFlow(inFlight)
			w.RecordFlow(sampleFlow(i+1000, []byte("a flow between")))
			want[i+1000], order = sampleFlow(i+1000, []byte("a flow between")), append(order, i+1000)
		}
		if i == 40 {
			w.RecordConn(&store.Conn{ID: 3, Host: "shop.test", Port: "443"})
		}
		w.RecordFlow(f)
		want[i], order = f, append(order, i)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st.Failed != 0 || st.Dropped != 0 {
		t.Fatalf("stats %+v: want nothing failed or dropped", st)
	}
	// All but the flows next to a repeat or a connection went in runs, once:
	// a batch that failed and was written again one by one counts more.
	if got := sqlite.RunRows(w); got < n-4 || got > int64(len(want)) {
		t.Errorf("%d flows written in runs, want %d to %d", got, n-4, len(want))
	}
	flows, err := db.Flows(ctx, store.FlowQuery{SessionID: sess.ID, WithBodies: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(flows) != len(want) {
		t.Fatalf("%d flows stored, want %d", len(flows), len(want))
	}
	rev := map[int64]int64{}
	for _, got := range flows {
		f := want[got.ID]
		if f == nil {
			t.Errorf("flow %d stored, never recorded", got.ID)
			continue
		}
		rev[got.ID] = got.Rev
		if got.Status != f.Status || got.URL != f.URL {
			t.Errorf("flow %d: status %d url %s, want %d %s", got.ID, got.Status, got.URL, f.Status, f.URL)
		}
		if !bytes.Equal(got.RespBody.Data, f.RespBody.Data) || !bytes.Equal(got.ReqBody.Data, f.ReqBody.Data) {
			t.Errorf("flow %d: bodies %.40q / %.40q, want %.40q / %.40q", got.ID,
				got.ReqBody.Data, got.RespBody.Data, f.ReqBody.Data, f.RespBody.Data)
		}
	}
	for i := 1; i < len(order); i++ {
		if rev[order[i]] <= rev[order[i-1]] {
			t.Errorf("flow %d has change number %d, not above flow %d's %d: numbers must grow in recording order",
				order[i], rev[order[i]], order[i-1], rev[order[i-1]])
		}
	}
}
