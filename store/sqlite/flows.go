package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/glassbox-dev/glassbox/store"
)

// reqBody and respBody bind a column to a field of the request's or the
// response's store.Body.
func reqBody(addr func(*store.Body) any) field[store.Flow] {
	return of(func(f *store.Flow) any { return addr(&f.ReqBody) })
}

func respBody(addr func(*store.Body) any) field[store.Flow] {
	return of(func(f *store.Flow) any { return addr(&f.RespBody) })
}

var flowTable = newEntity(table{name: "flows", row: "request and what became of it", since: 1, key: "session_id, id",
	indexes: []index{{name: "flows_by_page", cols: "session_id, page_id, id", since: 1},
		{name: "flows_by_change", cols: "session_id, rev", since: 3}},
	// Rows from before change numbers take their ID as one: in ID order,
	// as they were read before, and every row has one.
	backfills: []backfill{{since: 3, stmt: "UPDATE flows SET rev = id"}}, doc: `
One row per request and what became of it: a response (status > 0), or an
error and the phase it failed in; a response whose body broke off has both,
with error_phase receive. The request's own times are here; the lookup and
the handshakes are its connection's (conns), and count for this flow only
when conn_reused is 0.`}, []column[store.Flow]{
	{"session_id", "INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE", 1, "the session", sessionKey(func(f *store.Flow) any { return &f.SessionID })},
	{"id", "INTEGER NOT NULL", 1, "the flow's number in its session, from 1 in the order requests arrived", of(func(f *store.Flow) any { return &f.ID })},
	{"page_id", "INTEGER NOT NULL DEFAULT 0", 1, "the page load it belongs to (`pages.id`); 0 when unattributed", of(func(f *store.Flow) any { return &f.PageID })},
	{"conn_id", "INTEGER NOT NULL DEFAULT 0", 1, "the upstream connection used (`conns.id`); 0 when none", of(func(f *store.Flow) any { return &f.ConnID })},
	{"conn_reused", "INTEGER NOT NULL DEFAULT 0", 1, "1 when an earlier request had opened that connection, so this one paid no DNS, TCP or TLS time", of(func(f *store.Flow) any { return &f.ConnReused })},
	{"kind", "TEXT NOT NULL DEFAULT 'http'", 1, "`http`, `tunnel` (a CONNECT passed through untouched, `--no-mitm`) or `websocket`", of(func(f *store.Flow) any { return &f.Kind })},
	{"resource_type", "TEXT NOT NULL DEFAULT ''", 1, "`document`, `stylesheet`, `script`, `image`, `font`, `fetch`, `media`, `websocket` or `other`", of(func(f *store.Flow) any { return &f.ResourceType })},
	{"client_addr", "TEXT NOT NULL DEFAULT ''", 1, "the browser's address as the proxy saw it", of(func(f *store.Flow) any { return &f.ClientAddr })},
	{"mitm", "INTEGER NOT NULL DEFAULT 0", 1, "1 when the request came through an intercepted CONNECT", of(func(f *store.Flow) any { return &f.MITM })},
	{"method", "TEXT NOT NULL DEFAULT ''", 1, "the request method", of(func(f *store.Flow) any { return &f.Method })},
	{"url", "TEXT NOT NULL DEFAULT ''", 1, "the URL as the browser asked for it (`ws://` or `wss://` for a WebSocket)", of(func(f *store.Flow) any { return &f.URL })},
	{"host", "TEXT NOT NULL DEFAULT ''", 1, "host[:port] of `url`, for queries (glassbox itself reads `url`)", computed(func(f *store.Flow) any { return f.Host() })},
	{"proto", "TEXT NOT NULL DEFAULT ''", 1, "the browser's protocol, e.g. `HTTP/1.1`, `HTTP/2.0`", of(func(f *store.Flow) any { return &f.Proto })},
	{"req_headers", "TEXT", 1, "the request's header block (JSON pairs); NULL when empty", of(func(f *store.Flow) any { return &f.ReqHeaders })},
	{"req_header_size", "INTEGER NOT NULL DEFAULT -1", 1, "the request header block's size in bytes as sent; -1 when unknown", of(func(f *store.Flow) any { return &f.ReqHeaderSize })},
	{"req_body_size", "INTEGER NOT NULL DEFAULT 0", 1, "the true size of the request body that crossed the proxy", reqBody(func(b *store.Body) any { return &b.Size })},
	{"req_body_truncated", "INTEGER NOT NULL DEFAULT 0", 1, "1 when `bodies` holds only the first part of the request body, or none of it", reqBody(func(b *store.Body) any { return &b.Truncated })},
	{"status", "INTEGER NOT NULL DEFAULT 0", 1, "the response's status code; 0 when there was no response", of(func(f *store.Flow) any { return &f.Status })},
	{"status_text", "TEXT NOT NULL DEFAULT ''", 1, "the reason phrase as sent (empty for HTTP/2)", of(func(f *store.Flow) any { return &f.StatusText })},
	{"resp_proto", "TEXT NOT NULL DEFAULT ''", 1, "the version the origin's response carried (its status line's, or `HTTP/2.0`)", of(func(f *store.Flow) any { return &f.RespProto })},
	{"resp_headers", "TEXT", 1, "the response's header block (JSON pairs); NULL when empty", of(func(f *store.Flow) any { return &f.RespHeaders })},
	{"resp_trailers", "TEXT", 1, "the response's trailers (JSON pairs); NULL when the origin sent none", of(func(f *store.Flow) any { return &f.RespTrailers })},
	{"resp_header_size", "INTEGER NOT NULL DEFAULT -1", 1, "the response header block's size in bytes as sent; -1 when unknown", of(func(f *store.Flow) any { return &f.RespHeaderSize })},
	{"resp_body_size", "INTEGER NOT NULL DEFAULT 0", 1, "the true size of the response body that crossed the proxy (still compressed when the server compressed it)", respBody(func(b *store.Body) any { return &b.Size })},
	{"resp_body_truncated", "INTEGER NOT NULL DEFAULT 0", 1, "1 when `bodies` holds only the first part of the response body, or none of it", respBody(func(b *store.Body) any { return &b.Truncated })},
	{"server_addr", "TEXT NOT NULL DEFAULT ''", 1, "IP:port of the origin; empty when never connected", of(func(f *store.Flow) any { return &f.ServerAddr })},
	{"t_start", "INTEGER", 1, "the proxy had the whole request head", of(func(f *store.Flow) any { return &f.Start })},
	{"t_got_conn", "INTEGER", 1, "a connection to the origin was ready for this request", of(func(f *store.Flow) any { return &f.GotConn })},
	{"t_wrote_request", "INTEGER", 1, "the request head and body were written upstream", of(func(f *store.Flow) any { return &f.WroteRequest })},
	{"t_first_byte", "INTEGER", 1, "the first byte of the response head arrived", of(func(f *store.Flow) any { return &f.FirstByte })},
	{"t_end", "INTEGER", 1, "the last byte of the response body arrived, or the flow failed", of(func(f *store.Flow) any { return &f.End })},
	{"bytes_up", "INTEGER NOT NULL DEFAULT 0", 1, "tunnels and websockets: bytes from the browser to the origin", of(func(f *store.Flow) any { return &f.BytesUp })},
	{"bytes_down", "INTEGER NOT NULL DEFAULT 0", 1, "tunnels and websockets: bytes from the origin to the browser", of(func(f *store.Flow) any { return &f.BytesDown })},
	{"error_phase", "TEXT", 1, "where the flow failed, when there is no (complete) response", errPhase(func(f *store.Flow) any { return &f.Error })},
	{"error_kind", "TEXT", 1, "the cause inside the phase", errKind(func(f *store.Flow) any { return &f.Error })},
	{"error_message", "TEXT", 1, "the error as Go reported it", errMessage(func(f *store.Flow) any { return &f.Error })},
	{"req_body_decoded", "INTEGER NOT NULL DEFAULT 0", 2, "1 when the stored request body is already decoded although a Content-Encoding is named (bodies imported from HAR)", reqBody(func(b *store.Body) any { return &b.Decoded })},
	{"resp_body_decoded", "INTEGER NOT NULL DEFAULT 0", 2, "1 when the stored response body is already decoded although a Content-Encoding is named (bodies imported from HAR)", respBody(func(b *store.Body) any { return &b.Decoded })},
	{"req_body_shed", "INTEGER NOT NULL DEFAULT 0", 3, "1 when no copy of the request body was kept because bodies came faster than the database took them (not --max-body)", reqBody(func(b *store.Body) any { return &b.Shed })},
	{"resp_body_shed", "INTEGER NOT NULL DEFAULT 0", 3, "1 when no copy of the response body was kept because bodies came faster than the database took them (not --max-body)", respBody(func(b *store.Body) any { return &b.Shed })},
	{"client_tls", "TEXT", 3, "the browser's TLS session with glassbox (intercepted CONNECT); NULL otherwise", sharedJSON[store.Flow, store.TLSInfo](func(f *store.Flow) any { return &f.ClientTLS })},
	{"origin_proto", "TEXT NOT NULL DEFAULT ''", 3, "the protocol glassbox spoke to the origin: `HTTP/1.1` or `HTTP/2.0`; empty when no connection served the request (`proto` is the browser's leg)", of(func(f *store.Flow) any { return &f.OriginProto })},
	{"req_headers_as_sent", "INTEGER NOT NULL DEFAULT 0", 3, "1 when `req_headers` is the block as the browser sent it (order, case, every field, HTTP/2 pseudo-header fields); 0 when it is net/http's parse (sorted, canonical names, without Host and hop-by-hop fields) or an imported file's that does not say so (glassbox's own HAR does, in `_glassbox`)", of(func(f *store.Flow) any { return &f.ReqHeadersAsSent })},
	{"resp_headers_as_sent", "INTEGER NOT NULL DEFAULT 0", 3, "1 when `resp_headers` and `resp_trailers` are the origin's blocks as they arrived; 0 when they are net/http's parse or an imported file's that does not say so", of(func(f *store.Flow) any { return &f.RespHeadersAsSent })},
	{"resend_of", "INTEGER NOT NULL DEFAULT 0", 3, "the flow this one sent again (glassbox resend); 0 for a request a browser made", of(func(f *store.Flow) any { return &f.ResendOf })},
	{"initiator_type", "TEXT NOT NULL DEFAULT ''", 3, "what made the request happen: `navigation`, `redirect`, `parser`, `stylesheet`, `script`, `preflight`, `browser`, `client` or `unknown`; empty in captures from before", initiator(func(i *store.Initiator) any { return &i.Type })},
	{"initiator_flow", "INTEGER NOT NULL DEFAULT 0", 3, "the flow that caused it (the redirect, the document or stylesheet referencing its URL); 0 when none", initiator(func(i *store.Initiator) any { return &i.FlowID })},
	{"initiator_url", "TEXT NOT NULL DEFAULT ''", 3, "the initiating document, stylesheet or redirect's URL, when known", initiator(func(i *store.Initiator) any { return &i.URL })},
	{"rev", "INTEGER NOT NULL DEFAULT 0", 3, "the flow's change number: each write of the row (in flight, then ended) gives it a higher one in its session, so a live view reads what changed (`flows_by_change`); rows from before version 3 got their `id`", of(func(f *store.Flow) any { return &f.Rev })},
	{"initiator_heuristic", "INTEGER NOT NULL DEFAULT 0", 3, "1 when the initiator and the page rest on time or origin alone, not on a reference glassbox saw", initiator(func(i *store.Initiator) any { return &i.Heuristic })},
	{"messages", "INTEGER NOT NULL DEFAULT 0", 3, "WebSocket messages or server-sent events the flow carried, kept in `messages` or not (the first 1,000 are)", of(func(f *store.Flow) any { return &f.Messages })},
})

// initiator binds a column to a field of the flow's store.Initiator.
func initiator(addr func(*store.Initiator) any) field[store.Flow] {
	return of(func(f *store.Flow) any { return addr(&f.Initiator) })
}

// flowSummaryList is the SELECT list of store.FlowQuery.Summary: no header
// blocks but the response's Content-Type, pulled out with SQLite's JSON
// functions as a block of one field (empty when there is none).
var flowSummaryList = flowTable.selectWith(map[string]string{
	"req_headers": "NULL",
	"resp_headers": `(SELECT json_array(json_array('Content-Type', coalesce(
		(SELECT value ->> 1 FROM json_each(resp_headers) WHERE lower(value ->> 0) = 'content-type' LIMIT 1), ''))))`,
	"resp_trailers": "NULL",
})

func (s *stmts) flow(session int64, f *store.Flow) error {
	if f.ID <= 0 {
		return errNoID
	}
	// A plain INSERT for a flow this writer has not recorded before (nearly
	// all of them), OR REPLACE for one recorded again: a plain INSERT needs
	// no statement journal, which SQLite keeps for every OR REPLACE in case
	// it must undo its deletes.
	again := s.seen.testAndSet(f.ID)
	f.Rev = s.nextRev()
	qFlow, qBody := flowTable.insert, bodyTable.insert
	if again {
		qFlow, qBody = flowTable.replace, bodyTable.replace
	}
	s.args = flowTable.args(s.args[:0], session, f)
	err := s.exec(qFlow, s.args...)
	if !again && isConstraint(err) {
		// In the file already, though not from this writer (a session
		// written to again): a failed plain INSERT undoes only itself, so
		// replacing it now keeps the rest of the transaction.
		again, qBody = true, bodyTable.replace
		err = s.exec(flowTable.replace, s.args...)
	}
	if err != nil {
		return err
	}
	for which, b := range [2]*store.Body{&f.ReqBody, &f.RespBody} {
		if err := s.body(session, f.ID, which, b.Data, qBody, again); err != nil {
			return err
		}
	}
	return nil
}

func isConstraint(err error) bool {
	if err == nil {
		return false // without the errors.As below, which allocates se
	}
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint
}

// idSet remembers which flow IDs a writer has recorded: IDs are dense from
// 1, so a bitset costs one bit per flow (12.5 KB per 100,000).
type idSet struct{ bits []uint64 }

// test reports whether id is set; an ID out of the dense range counts as
// set.
func (s *idSet) test(id int64) bool {
	if id <= 0 || id > 1<<32 {
		return true
	}
	i := id / 64
	return i < int64(len(s.bits)) && s.bits[i]&(uint64(1)<<(id%64)) != 0
}

// testAndSet reports whether id was set, and sets it.
func (s *idSet) testAndSet(id int64) bool {
	if s.test(id) {
		return true // set, or not dense: assume the worst, costing only a DELETE
	}
	i := id / 64
	for int64(len(s.bits)) <= i {
		s.bits = append(s.bits, 0)
	}
	s.bits[i] |= uint64(1) << (id % 64)
	return false
}

// Flows implements store.Reader: keyset paging on (session_id, id), so the
// cost of a page does not grow with how far into the session it is.
func (db *DB) Flows(ctx context.Context, q store.FlowQuery) ([]store.Flow, error) {
	list := flowTable.selectList
	if q.Summary {
		list = flowSummaryList
	}
	query := `SELECT ` + list + ` FROM flows WHERE session_id = ? AND id > ?`
	args := []any{q.SessionID, q.AfterID}
	order := ` ORDER BY id`
	if q.Changed {
		query = `SELECT ` + list + ` FROM flows WHERE session_id = ? AND rev > ?` // flows_by_change
		args, order = []any{q.SessionID, q.AfterRev}, ` ORDER BY rev`
	}
	if q.PageID > 0 {
		query += ` AND page_id = ?` // served by the flows_by_page index
		args = append(args, q.PageID)
	}
	query += order
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	out, err := queryAll(ctx, db.ro, flowTable.dests, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read flows: %w", err)
	}
	if q.Summary {
		for i := range out {
			if h := out[i].RespHeaders; len(h) == 1 && h[0].Value == "" {
				out[i].RespHeaders = nil
			}
		}
	}
	if q.WithBodies && len(out) > 0 {
		if err := db.loadBodies(ctx, q.SessionID, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Flow implements store.Reader.
func (db *DB) Flow(ctx context.Context, sessionID, id int64) (store.Flow, error) {
	f, err := queryOne(ctx, db.ro, flowTable.dests, `SELECT `+flowTable.selectList+` FROM flows WHERE session_id = ? AND id = ?`, sessionID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("flow %d of session %d: %w", id, sessionID, store.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("read flow %d: %w", id, err)
	}
	one := []store.Flow{f}
	if err := db.loadBodies(ctx, sessionID, one); err != nil {
		return f, err
	}
	return one[0], nil
}
