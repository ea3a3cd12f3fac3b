package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

const sessionCols = `s.id, s.started, s.ended, s.source, s.listen,
	(SELECT count(*) FROM flows f WHERE f.session_id = s.id),
	(SELECT count(*) FROM pages p WHERE p.session_id = s.id)`

func scanSession(sc interface{ Scan(...any) error }) (store.Session, error) {
	var s store.Session
	var started int64
	var ended sql.NullInt64
	err := sc.Scan(&s.ID, &started, &ended, &s.Source, &s.Listen, &s.Flows, &s.Pages)
	s.Started = time.Unix(0, started)
	s.Ended = fromNanos(ended)
	return s, err
}

// Sessions implements store.Reader.
func (db *DB) Sessions(ctx context.Context) ([]store.Session, error) {
	rows, err := db.ro.QueryContext(ctx, `SELECT `+sessionCols+` FROM sessions s ORDER BY s.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []store.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Session implements store.Reader; id 0 is the latest session.
func (db *DB) Session(ctx context.Context, id int64) (store.Session, error) {
	q := `SELECT ` + sessionCols + ` FROM sessions s WHERE s.id = ?`
	args := []any{id}
	if id == 0 {
		q = `SELECT ` + sessionCols + ` FROM sessions s ORDER BY s.id DESC LIMIT 1`
		args = nil
	}
	s, err := scanSession(db.ro.QueryRowContext(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		if id == 0 {
			return s, fmt.Errorf("no sessions recorded yet: %w", store.ErrNotFound)
		}
		return s, fmt.Errorf("session %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("session %d: %w", id, err)
	}
	return s, nil
}

const flowCols = `session_id, id, page_id, conn_id, conn_reused, kind, resource_type, client_addr, mitm,
	method, url, proto, req_headers, req_header_size, req_body_size, req_body_truncated,
	status, status_text, resp_proto, resp_headers, resp_trailers, resp_header_size,
	resp_body_size, resp_body_truncated, server_addr,
	t_start, t_got_conn, t_wrote_request, t_first_byte, t_end,
	bytes_up, bytes_down, error_phase, error_kind, error_message, req_body_decoded, resp_body_decoded`

// summaryCols is flowCols without the header blocks, except the
// response's Content-Type pulled out with SQLite's JSON functions.
var summaryCols = strings.NewReplacer(
	"req_headers,", "NULL,",
	"resp_headers,", `(SELECT json_array(json_array('Content-Type', coalesce(
		(SELECT value ->> 1 FROM json_each(resp_headers) WHERE lower(value ->> 0) = 'content-type' LIMIT 1), '')))),`,
	"resp_trailers,", "NULL,",
).Replace(flowCols)

func scanFlow(sc interface{ Scan(...any) error }) (store.Flow, error) {
	var f store.Flow
	var reqH, respH, respT, ePhase, eKind, eMsg sql.NullString
	var tStart, tConn, tWrote, tFirst, tEnd sql.NullInt64
	err := sc.Scan(&f.SessionID, &f.ID, &f.PageID, &f.ConnID, &f.ConnReused, &f.Kind, &f.ResourceType,
		&f.ClientAddr, &f.MITM, &f.Method, &f.URL, &f.Proto, &reqH, &f.ReqHeaderSize, &f.ReqBody.Size,
		&f.ReqBody.Truncated, &f.Status, &f.StatusText, &f.RespProto, &respH, &respT, &f.RespHeaderSize,
		&f.RespBody.Size, &f.RespBody.Truncated, &f.ServerAddr,
		&tStart, &tConn, &tWrote, &tFirst, &tEnd, &f.BytesUp, &f.BytesDown, &ePhase, &eKind, &eMsg,
		&f.ReqBody.Decoded, &f.RespBody.Decoded)
	if err != nil {
		return f, err
	}
	f.ReqHeaders, f.RespHeaders, f.RespTrailers = parseHeaders(reqH), parseHeaders(respH), parseHeaders(respT)
	f.Start, f.GotConn, f.WroteRequest = fromNanos(tStart), fromNanos(tConn), fromNanos(tWrote)
	f.FirstByte, f.End = fromNanos(tFirst), fromNanos(tEnd)
	f.Error = flowError(ePhase, eKind, eMsg)
	return f, nil
}

// Flows implements store.Reader: keyset paging on (session_id, id), so the
// cost of a page does not grow with how far into the session it is.
func (db *DB) Flows(ctx context.Context, q store.FlowQuery) ([]store.Flow, error) {
	cols := flowCols
	if q.Summary {
		cols = summaryCols
	}
	query := `SELECT ` + cols + ` FROM flows WHERE session_id = ? AND id > ?`
	args := []any{q.SessionID, q.AfterID}
	if q.PageID > 0 {
		query += ` AND page_id = ?` // served by the flows_by_page index
		args = append(args, q.PageID)
	}
	query += ` ORDER BY id`
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	rows, err := db.ro.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read flows: %w", err)
	}
	defer rows.Close()
	var out []store.Flow
	for rows.Next() {
		f, err := scanFlow(rows)
		if err != nil {
			return nil, fmt.Errorf("read flows: %w", err)
		}
		if q.Summary && len(f.RespHeaders) == 1 && f.RespHeaders[0].Value == "" {
			f.RespHeaders = nil
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read flows: %w", err)
	}
	if q.WithBodies && len(out) > 0 {
		if err := db.loadBodies(ctx, q.SessionID, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) loadBodies(ctx context.Context, session int64, flows []store.Flow) error {
	byID := make(map[int64]*store.Flow, len(flows))
	for i := range flows {
		byID[flows[i].ID] = &flows[i]
	}
	rows, err := db.ro.QueryContext(ctx, `SELECT flow_id, which, data FROM bodies
		WHERE session_id = ? AND flow_id BETWEEN ? AND ?`, session, flows[0].ID, flows[len(flows)-1].ID)
	if err != nil {
		return fmt.Errorf("read bodies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var which int
		var data []byte
		if err := rows.Scan(&id, &which, &data); err != nil {
			return fmt.Errorf("read bodies: %w", err)
		}
		if f := byID[id]; f != nil {
			if which == 0 {
				f.ReqBody.Data = data
			} else {
				f.RespBody.Data = data
			}
		}
	}
	return rows.Err()
}

// Flow implements store.Reader.
func (db *DB) Flow(ctx context.Context, sessionID, id int64) (store.Flow, error) {
	f, err := scanFlow(db.ro.QueryRowContext(ctx, `SELECT `+flowCols+` FROM flows WHERE session_id = ? AND id = ?`, sessionID, id))
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

// Conns implements store.Reader.
func (db *DB) Conns(ctx context.Context, sessionID int64) ([]store.Conn, error) {
	rows, err := db.ro.QueryContext(ctx, `SELECT session_id, id, host, port, remote_addr, local_addr, lookup_id,
		t_dns_start, t_dns_end, t_connect_start, t_connect_end, t_tls_start, t_tls_end, t_closed,
		attempts, tls, error_phase, error_kind, error_message FROM conns WHERE session_id = ? ORDER BY id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("read connections: %w", err)
	}
	defer rows.Close()
	var out []store.Conn
	for rows.Next() {
		var c store.Conn
		var t [7]sql.NullInt64
		var attempts, tlsJSON, ePhase, eKind, eMsg sql.NullString
		if err := rows.Scan(&c.SessionID, &c.ID, &c.Host, &c.Port, &c.RemoteAddr, &c.LocalAddr, &c.LookupID,
			&t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6], &attempts, &tlsJSON, &ePhase, &eKind, &eMsg); err != nil {
			return nil, fmt.Errorf("read connections: %w", err)
		}
		c.DNSStart, c.DNSEnd, c.ConnectStart, c.ConnectEnd = fromNanos(t[0]), fromNanos(t[1]), fromNanos(t[2]), fromNanos(t[3])
		c.TLSStart, c.TLSEnd, c.Closed = fromNanos(t[4]), fromNanos(t[5]), fromNanos(t[6])
		parseJSON(attempts, &c.Attempts)
		if tlsJSON.Valid {
			c.TLS = &store.TLSInfo{}
			parseJSON(tlsJSON, c.TLS)
		}
		c.Error = flowError(ePhase, eKind, eMsg)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Lookups implements store.Reader.
func (db *DB) Lookups(ctx context.Context, sessionID int64) ([]store.Lookup, error) {
	rows, err := db.ro.QueryContext(ctx, `SELECT session_id, id, name, source, server, rcode, cnames, answers, hops,
		t_start, t_end, rtt_ns, error FROM lookups WHERE session_id = ? ORDER BY id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("read lookups: %w", err)
	}
	defer rows.Close()
	var out []store.Lookup
	for rows.Next() {
		var l store.Lookup
		var cn, an, hops sql.NullString
		var ts, te sql.NullInt64
		var rtt int64
		if err := rows.Scan(&l.SessionID, &l.ID, &l.Name, &l.Source, &l.Server, &l.Rcode, &cn, &an, &hops,
			&ts, &te, &rtt, &l.Error); err != nil {
			return nil, fmt.Errorf("read lookups: %w", err)
		}
		parseJSON(cn, &l.CNAMEs)
		parseJSON(an, &l.Answers)
		parseJSON(hops, &l.Hops)
		l.Start, l.End, l.RTT = fromNanos(ts), fromNanos(te), time.Duration(rtt)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Pages implements store.Reader.
func (db *DB) Pages(ctx context.Context, sessionID int64) ([]store.Page, error) {
	rows, err := db.ro.QueryContext(ctx, `SELECT session_id, id, parent_id, flow_id, url, title, t_start
		FROM pages WHERE session_id = ? ORDER BY id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("read pages: %w", err)
	}
	defer rows.Close()
	var out []store.Page
	for rows.Next() {
		var p store.Page
		var ts sql.NullInt64
		if err := rows.Scan(&p.SessionID, &p.ID, &p.ParentID, &p.FlowID, &p.URL, &p.Title, &ts); err != nil {
			return nil, fmt.Errorf("read pages: %w", err)
		}
		p.Start = fromNanos(ts)
		out = append(out, p)
	}
	return out, rows.Err()
}

// IntegrityCheck runs PRAGMA integrity_check and returns its findings
// ("ok" when the file is sound).
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	rows, err := db.ro.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, "\n"), rows.Err()
}
