package main

import (
	"context"

	"github.com/glassbox-dev/glassbox/store"
)

// offsetRecorder lets a proxy record into a session that already holds
// records: the proxy numbers what it records from 1 (flows, connections,
// lookups, page loads), and this adds the session's highest numbers to
// every ID and reference before the writer gets them. ResendOf names a
// flow of the session as it is and is left alone.
type offsetRecorder struct {
	store.Recorder
	flow, conn, lookup, page int64
}

// newOffsetRecorder reads the session's highest numbers through r.
func newOffsetRecorder(ctx context.Context, r store.Reader, session int64, w store.Recorder) (*offsetRecorder, error) {
	o := &offsetRecorder{Recorder: w}
	err := store.EachFlow(ctx, r, store.FlowQuery{SessionID: session, Summary: true}, 5000, func(f *store.Flow) error {
		o.flow = max(o.flow, f.ID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	conns, lookups, err := store.ConnsAndLookups(ctx, r, session)
	if err != nil {
		return nil, err
	}
	for id := range conns {
		o.conn = max(o.conn, id)
	}
	for id := range lookups {
		o.lookup = max(o.lookup, id)
	}
	pages, err := r.Pages(ctx, session)
	for _, p := range pages {
		o.page = max(o.page, p.ID)
	}
	return o, err
}

func plus(id, base int64) int64 {
	if id == 0 {
		return 0
	}
	return id + base
}

func (o *offsetRecorder) RecordFlow(f *store.Flow) {
	c := *f
	c.ID, c.ConnID, c.PageID = plus(c.ID, o.flow), plus(c.ConnID, o.conn), plus(c.PageID, o.page)
	c.Initiator.FlowID = plus(c.Initiator.FlowID, o.flow)
	o.Recorder.RecordFlow(&c)
}

func (o *offsetRecorder) RecordConn(cn *store.Conn) {
	c := *cn
	c.ID, c.LookupID = plus(c.ID, o.conn), plus(c.LookupID, o.lookup)
	o.Recorder.RecordConn(&c)
}

func (o *offsetRecorder) RecordLookup(l *store.Lookup) {
	c := *l
	c.ID = plus(c.ID, o.lookup)
	o.Recorder.RecordLookup(&c)
}

func (o *offsetRecorder) RecordPage(p *store.Page) {
	c := *p
	c.ID, c.ParentID, c.FlowID, c.MergedInto = plus(c.ID, o.page), plus(c.ParentID, o.page), plus(c.FlowID, o.flow), plus(c.MergedInto, o.page)
	o.Recorder.RecordPage(&c)
}

// AdmitBody passes the writer's body budget on (store.BodyAdmitter).
func (o *offsetRecorder) AdmitBody(n int64) bool {
	if a, ok := o.Recorder.(store.BodyAdmitter); ok {
		return a.AdmitBody(n)
	}
	return true
}
