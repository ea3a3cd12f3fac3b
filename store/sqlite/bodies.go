package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/glassbox-dev/glassbox/store"
)

// bodyRow is a row of bodies: a flow's request or response body. Bodies
// live apart from flows so that listing flows never reads them.
type bodyRow struct {
	sessionID, flowID int64
	which             int // bodyRequest or bodyResponse
	data              []byte
	// fileOffset is where the body starts in the body file, -1 when data
	// holds it; fileSize and fileCRC are its length and CRC-32C.
	fileOffset, fileSize int64
	fileCRC              uint32
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
	{"data", "BLOB NOT NULL", 1, "the bytes as they crossed the proxy (still compressed when the server compressed them), at most `--max-body` of them; empty when the body file holds them", of(func(b *bodyRow) any { return &b.data })},
	{"file_offset", "INTEGER NOT NULL DEFAULT -1", 3, "where the body starts in the body file (the database's path + `-bodies`), for bodies of 64 KiB and more; -1 when `data` holds it", of(func(b *bodyRow) any { return &b.fileOffset })},
	{"file_size", "INTEGER NOT NULL DEFAULT 0", 3, "the body's length in the body file", of(func(b *bodyRow) any { return &b.fileSize })},
	{"file_crc", "INTEGER NOT NULL DEFAULT 0", 3, "the CRC-32C of those bytes: a body whose bytes do not match (a file cut short by a power loss) reads as not kept", of(func(b *bodyRow) any { return &b.fileCRC })},
})

const deleteBody = `DELETE FROM bodies WHERE session_id = ? AND flow_id = ? AND which = ?`

// body stores one of a flow's bodies with q (bodyTable's insert or
// replace). A flow recorded again (again) may have had a body the new
// recording lacks: that one is deleted.
func (s *stmts) body(session, flowID int64, which int, data []byte, q string, again bool) error {
	switch {
	case len(data) > 0:
		s.args = s.args[:0]
		if err := s.bodyArgs(session, flowID, which, data); err != nil {
			return err
		}
		return s.exec(q, s.args...)
	case again:
		return s.exec(deleteBody, session, flowID, which)
	}
	return nil
}

// bodyArgs appends the values of a body's row to s.args.
func (s *stmts) bodyArgs(session, flowID int64, which int, data []byte) error {
	s.row = bodyRow{flowID: flowID, which: which, data: data, fileOffset: -1}
	if len(data) >= bodyFileMin {
		ref, ok := s.written[&data[0]]
		if !ok {
			return errors.New("a large body was not written to the body file with its batch (writeBodies)")
		}
		s.row.data, s.row.fileOffset, s.row.fileSize, s.row.fileCRC = []byte{}, ref.off, int64(len(data)), ref.crc
	}
	s.args = bodyTable.args(s.args, session, &s.row)
	return nil
}

// writeBodies writes the large bodies of a batch to the body file ahead
// of their rows, side by side (bodyFile.appendAll), and keeps where each
// went for body.
func (s *stmts) writeBodies(batch []item) error {
	var bodies []*store.Body
	for _, it := range batch {
		if it.flow == nil {
			continue
		}
		for _, b := range [2]*store.Body{&it.flow.ReqBody, &it.flow.RespBody} {
			if len(b.Data) >= bodyFileMin {
				bodies = append(bodies, b)
			}
		}
	}
	if len(bodies) == 0 {
		return nil
	}
	refs, err := s.w.db.bodies.appendAll(bodies)
	if err != nil {
		return err
	}
	s.bodyStart = refs[0].off
	s.written = make(map[*byte]bodyRef, len(bodies))
	for i, b := range bodies {
		s.written[&b.Data[0]] = refs[i]
	}
	return nil
}

// dropBodies cuts from the body file what this transaction appended: it
// is rolling back, and no row will name those bytes.
func (s *stmts) dropBodies() {
	if s.bodyStart >= 0 {
		s.w.db.bodies.truncate(s.bodyStart)
	}
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
		if f == nil || (b.which != bodyRequest && b.which != bodyResponse) {
			continue
		}
		body := &f.ReqBody
		if b.which == bodyResponse {
			body = &f.RespBody
		}
		if b.fileOffset >= 0 {
			data, err := db.bodies.read(b.fileOffset, b.fileSize, b.fileCRC)
			if errors.Is(err, errBodyLost) {
				body.Truncated, body.Missing = true, true // the row says more than the file holds
				continue
			}
			if err != nil {
				return fmt.Errorf("read the body of flow %d: %w", b.flowID, err)
			}
			b.data = data
		}
		body.Data = b.data
	}
	return nil
}
