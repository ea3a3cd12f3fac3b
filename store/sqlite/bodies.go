package sqlite

import (
	"context"
	"fmt"

	"github.com/glassbox-dev/glassbox/store"
)

// bodyRow is a row of bodies: a flow's request or response body. Bodies
// live apart from flows so that listing flows never reads them.
type bodyRow struct {
	sessionID, flowID int64
	which             int // bodyRequest or bodyResponse
	data              []byte
}

// Values of bodies.which.
const (
	bodyRequest  = 0
	bodyResponse = 1
)

var bodyTable = newEntity(table{name: "bodies", row: "stored body", since: 1, key: "session_id, flow_id, which", doc: `
The copies of request and response bodies, apart from flows so that listing
flows never reads them: at most --max-body bytes of each, as they crossed the
proxy. The flow's *_body_size is the true size, and *_body_truncated says
when the copy holds less (or nothing, when glassbox had to shed it).`}, []column[bodyRow]{
	{"session_id", "INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE", 1, "the session", sessionKey(func(b *bodyRow) any { return &b.sessionID })},
	{"flow_id", "INTEGER NOT NULL", 1, "the flow (`flows.id`)", of(func(b *bodyRow) any { return &b.flowID })},
	{"which", "INTEGER NOT NULL", 1, "0 for the request body, 1 for the response body", of(func(b *bodyRow) any { return &b.which })},
	{"data", "BLOB NOT NULL", 1, "the bytes as they crossed the proxy (still compressed when the server compressed them), at most `--max-body` of them", of(func(b *bodyRow) any { return &b.data })},
})

const deleteBody = `DELETE FROM bodies WHERE session_id = ? AND flow_id = ? AND which = ?`

// body stores one of a flow's bodies with q (bodyTable's insert or
// replace). A flow recorded again (again) may have had a body the new
// recording lacks: that one is deleted.
func (s *stmts) body(session, flowID int64, which int, data []byte, q string, again bool) error {
	switch {
	case len(data) > 0:
		s.row = bodyRow{flowID: flowID, which: which, data: data}
		s.args = bodyTable.args(s.args[:0], session, &s.row)
		return s.exec(q, s.args...)
	case again:
		return s.exec(deleteBody, session, flowID, which)
	}
	return nil
}

// loadBodies fills in the bodies of flows, which are in ID order.
func (db *DB) loadBodies(ctx context.Context, session int64, flows []store.Flow) error {
	byID := make(map[int64]*store.Flow, len(flows))
	for i := range flows {
		byID[flows[i].ID] = &flows[i]
	}
	rows, err := queryAll(ctx, db.ro, bodyTable.dests, `SELECT `+bodyTable.selectList+` FROM bodies
		WHERE session_id = ? AND flow_id BETWEEN ? AND ?`, session, flows[0].ID, flows[len(flows)-1].ID)
	if err != nil {
		return fmt.Errorf("read bodies: %w", err)
	}
	for _, b := range rows {
		f := byID[b.flowID]
		switch {
		case f == nil:
		case b.which == bodyRequest:
			f.ReqBody.Data = b.data
		case b.which == bodyResponse:
			f.RespBody.Data = b.data
		}
	}
	return nil
}
