package proxy

import (
	"sync"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// Flows in flight. A flow is recorded when it ends; one still running when
// the live clock ticks (every Config.LiveEvery) is recorded as it is now
// (its phases so far, its status once the head arrived, the bytes so
// far) and again at each later tick where it changed, so a live view
// shows a request that hangs, a long download or a WebSocket from its
// start, not only once it ends. A flow that ends before the next tick is
// recorded once, as before: fast flows cost nothing more. The store
// replaces a flow recorded again (store.Recorder) and gives each write a
// change number readers follow (store.FlowQuery.Changed).

// DefaultLiveEvery is how often flows in flight are recorded as they are.
const DefaultLiveEvery = 250 * time.Millisecond

// live is a flow in flight: publish records it as it is now, if it
// changed since the last time, and never after it ended.
type live interface {
	publish()
}

// inflight holds the flows being served. Its clock runs only while it
// holds any: no goroutine when the proxy is idle.
type inflight struct {
	every time.Duration
	mu    sync.Mutex
	flows map[int64]live
	ticks bool // the clock's goroutine is running
}

func (in *inflight) add(id int64, l live) {
	if in.every <= 0 {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.flows == nil {
		in.flows = map[int64]live{}
	}
	in.flows[id] = l
	if !in.ticks {
		in.ticks = true
		go in.clock()
	}
}

func (in *inflight) remove(id int64) {
	if in.every <= 0 {
		return
	}
	in.mu.Lock()
	delete(in.flows, id)
	in.mu.Unlock()
}

// clock publishes every flow in flight at each tick, and stops when none
// is left.
func (in *inflight) clock() {
	t := time.NewTicker(in.every)
	defer t.Stop()
	var now []live
	for range t.C {
		in.mu.Lock()
		if len(in.flows) == 0 {
			in.ticks = false
			in.mu.Unlock()
			return
		}
		now = now[:0]
		for _, l := range in.flows {
			now = append(now, l)
		}
		in.mu.Unlock()
		for _, l := range now {
			l.publish()
		}
		clear(now) // let ended flows go
	}
}

// liveMarks is what a published snapshot showed: the next tick records
// the flow again only when one of these moved.
type liveMarks struct {
	gotConn, wrote, first time.Time
	status                int
	up, down, messages    int64
}

// publish records the flow as it is now (an HTTP request or a WebSocket):
// under st.mu, so that finish, which marks the flow done under the same
// lock before recording it whole, always comes after.
func (st *flowState) publish() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.done {
		return
	}
	st.marks()
	f := st.flow // a copy: the recorder owns it
	if st.req != nil {
		b := st.req.progress()
		f.ReqBody = store.Body{Size: b.Size, Truncated: b.Size > 0}
	}
	if st.respBody != nil {
		b := st.respBody.progress()
		f.RespBody = store.Body{Size: b.Size, Truncated: b.Size > 0}
		if f.Kind == store.KindWebSocket {
			f.BytesDown, f.BytesUp = b.Size, st.respBody.writtenSoFar()
		}
		if st.respBody.tap != nil {
			f.Messages = st.respBody.tap.record(st.p.cfg.Recorder)
		}
	}
	m := liveMarks{gotConn: f.GotConn, wrote: f.WroteRequest, first: f.FirstByte, status: f.Status,
		up: f.BytesUp + f.ReqBody.Size, down: f.BytesDown + f.RespBody.Size, messages: f.Messages}
	if st.published && m == st.lastLive {
		return
	}
	st.published, st.lastLive = true, m
	st.p.cfg.Recorder.RecordFlow(&f)
}
