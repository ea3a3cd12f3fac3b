package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/glassbox-dev/glassbox/store"
)

// insertFlow and insertBody are for flows the writer has not recorded
// before (nearly all of them); replaceFlow and replaceBody for a flow
// recorded again. A plain INSERT needs no statement journal, which SQLite
// keeps for every OR REPLACE in case it must undo its deletes.
const insertFlow = `INSERT INTO flows (
	session_id, id, page_id, conn_id, conn_reused, kind, resource_type, client_addr, mitm,
	method, url, host, proto, req_headers, req_header_size, req_body_size, req_body_truncated,
	status, status_text, resp_proto, resp_headers, resp_trailers, resp_header_size,
	resp_body_size, resp_body_truncated, server_addr,
	t_start, t_got_conn, t_wrote_request, t_first_byte, t_end,
	bytes_up, bytes_down, error_phase, error_kind, error_message, req_body_decoded, resp_body_decoded
) VALUES (?,?,?,?,?,?,?,?,?, ?,?,?,?,?,?,?,?, ?,?,?,?,?,?, ?,?,?, ?,?,?,?,?, ?,?,?,?,?,?,?)`

var replaceFlow = strings.Replace(insertFlow, "INSERT INTO", "INSERT OR REPLACE INTO", 1)

const insertBody = `INSERT INTO bodies (session_id, flow_id, which, data) VALUES (?,?,?,?)`

const replaceBody = `INSERT OR REPLACE INTO bodies (session_id, flow_id, which, data) VALUES (?,?,?,?)`

const deleteBody = `DELETE FROM bodies WHERE session_id = ? AND flow_id = ? AND which = ?`

func (s *stmts) flow(session int64, f *store.Flow) error {
	if f.ID <= 0 {
		return errNoID
	}
	var ePhase, eKind, eMsg any
	if f.Error != nil {
		ePhase, eKind, eMsg = f.Error.Phase, f.Error.Kind, f.Error.Message
	}
	again := s.seen.testAndSet(f.ID)
	qFlow, qBody := insertFlow, insertBody
	if again {
		qFlow, qBody = replaceFlow, replaceBody
	}
	args := []any{
		session, f.ID, f.PageID, f.ConnID, f.ConnReused, f.Kind, f.ResourceType, f.ClientAddr, f.MITM,
		f.Method, f.URL, f.Host(), f.Proto, headersJSON(f.ReqHeaders), f.ReqHeaderSize, f.ReqBody.Size, f.ReqBody.Truncated,
		f.Status, f.StatusText, f.RespProto, headersJSON(f.RespHeaders), headersJSON(f.RespTrailers), f.RespHeaderSize,
		f.RespBody.Size, f.RespBody.Truncated, f.ServerAddr,
		nanos(f.Start), nanos(f.GotConn), nanos(f.WroteRequest), nanos(f.FirstByte), nanos(f.End),
		f.BytesUp, f.BytesDown, ePhase, eKind, eMsg, f.ReqBody.Decoded, f.RespBody.Decoded}
	err := s.exec(qFlow, args...)
	if !again && isConstraint(err) {
		// In the file already, though not from this writer (a session
		// written to again): a failed plain INSERT undoes only itself, so
		// replacing it now keeps the rest of the transaction.
		again, qBody = true, replaceBody
		err = s.exec(replaceFlow, args...)
	}
	if err != nil {
		return err
	}
	for which, b := range [2]store.Body{f.ReqBody, f.RespBody} {
		switch {
		case len(b.Data) > 0:
			err = s.exec(qBody, session, f.ID, which, b.Data)
		case again:
			// Recorded before, maybe with a body this recording no longer has.
			err = s.exec(deleteBody, session, f.ID, which)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func isConstraint(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint
}

// idSet remembers which flow IDs a writer has recorded: IDs are dense from
// 1, so a bitset costs one bit per flow (12.5 KB per 100,000).
type idSet struct{ bits []uint64 }

// testAndSet reports whether id was set, and sets it.
func (s *idSet) testAndSet(id int64) bool {
	if id <= 0 || id > 1<<32 {
		return true // not dense: assume the worst, costing only a DELETE
	}
	i, m := id/64, uint64(1)<<(id%64)
	for int64(len(s.bits)) <= i {
		s.bits = append(s.bits, 0)
	}
	was := s.bits[i]&m != 0
	s.bits[i] |= m
	return was
}

const insertConn = `INSERT OR REPLACE INTO conns (
	session_id, id, host, port, remote_addr, local_addr, lookup_id,
	t_dns_start, t_dns_end, t_connect_start, t_connect_end, t_tls_start, t_tls_end, t_closed,
	attempts, tls, error_phase, error_kind, error_message
) VALUES (?,?,?,?,?,?,?, ?,?,?,?,?,?,?, ?,?,?,?,?)`

func (s *stmts) conn(session int64, c *store.Conn) error {
	if c.ID <= 0 {
		return errNoID
	}
	var ePhase, eKind, eMsg any
	if c.Error != nil {
		ePhase, eKind, eMsg = c.Error.Phase, c.Error.Kind, c.Error.Message
	}
	return s.exec(insertConn, session, c.ID, c.Host, c.Port, c.RemoteAddr, c.LocalAddr, c.LookupID,
		nanos(c.DNSStart), nanos(c.DNSEnd), nanos(c.ConnectStart), nanos(c.ConnectEnd),
		nanos(c.TLSStart), nanos(c.TLSEnd), nanos(c.Closed),
		jsonOrNil(c.Attempts, len(c.Attempts) > 0), jsonOrNil(c.TLS, c.TLS != nil), ePhase, eKind, eMsg)
}

const insertLookup = `INSERT OR REPLACE INTO lookups (
	session_id, id, name, source, server, rcode, cnames, answers, hops, t_start, t_end, rtt_ns, error
) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`

func (s *stmts) lookup(session int64, l *store.Lookup) error {
	if l.ID <= 0 {
		return errNoID
	}
	return s.exec(insertLookup, session, l.ID, l.Name, l.Source, l.Server, l.Rcode,
		jsonOrNil(l.CNAMEs, len(l.CNAMEs) > 0), jsonOrNil(l.Answers, len(l.Answers) > 0),
		jsonOrNil(l.Hops, len(l.Hops) > 0), nanos(l.Start), nanos(l.End), int64(l.RTT), l.Error)
}

const insertPage = `INSERT OR REPLACE INTO pages (session_id, id, parent_id, flow_id, url, title, t_start)
	VALUES (?,?,?,?,?,?,?)`

func (s *stmts) page(session int64, p *store.Page) error {
	if p.ID <= 0 {
		return errNoID
	}
	return s.exec(insertPage, session, p.ID, p.ParentID, p.FlowID, p.URL, p.Title, nanos(p.Start))
}

// nanos stores a time as Unix nanoseconds, or NULL for the zero time.
func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}

// headersJSON stores a header block as [[name, value], ...]: readable with
// SQLite's json functions and ordered, unlike an object. It is written by
// hand: encoding/json (reflection over a [][2]string built per block) was
// the writer's largest cost outside SQLite, at two blocks per flow. The
// text decodes exactly as encoding/json's would (TestHeadersJSON).
func headersJSON(h store.Headers) any {
	if len(h) == 0 {
		return nil
	}
	n := 2
	for _, f := range h {
		n += len(f.Name) + len(f.Value) + 8
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, f := range h {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendJSONString(b, f.Name)
		b = append(b, ',')
		b = appendJSONString(b, f.Value)
		b = append(b, ']')
	}
	b = append(b, ']')
	return string(b)
}

// appendJSONString appends s as a JSON string (RFC 8259 §7): quote,
// backslash and control characters escaped, invalid UTF-8 replaced by
// U+FFFD as encoding/json does, so the text is always valid JSON.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func parseHeaders(s sql.NullString) store.Headers {
	if !s.Valid || s.String == "" {
		return nil
	}
	var pairs [][2]string
	if json.Unmarshal([]byte(s.String), &pairs) != nil {
		return nil
	}
	h := make(store.Headers, len(pairs))
	for i, p := range pairs {
		h[i] = store.Header{Name: p[0], Value: p[1]}
	}
	return h
}

func jsonOrNil(v any, present bool) any {
	if !present {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return string(b)
}

func parseJSON(s sql.NullString, v any) {
	if s.Valid && s.String != "" {
		_ = json.Unmarshal([]byte(s.String), v)
	}
}

func flowError(phase, kind, msg sql.NullString) *store.FlowError {
	if !phase.Valid {
		return nil
	}
	return &store.FlowError{Phase: phase.String, Kind: kind.String, Message: msg.String}
}
