package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

var messageTable = newEntity(table{name: "messages", row: "WebSocket message or server-sent event", since: 3, key: "session_id, flow_id, seq", doc: `
What a WebSocket carried after its handshake (one row per message, its
fragments joined, and per control frame) and what an event stream
delivered (one row per event), in the order the proxy saw them. Only the
first 1,000 of a flow are kept and of each only its first KiB; ` + "`flows.messages`" + `
counts them all.`}, []column[store.Message]{
	{"session_id", "INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE", 3, "the session", sessionKey(func(m *store.Message) any { return new(int64) })},
	{"flow_id", "INTEGER NOT NULL", 3, "the flow that carried it (`flows.id`)", of(func(m *store.Message) any { return &m.FlowID })},
	{"seq", "INTEGER NOT NULL", 3, "1, 2... in the order the proxy saw them, per flow", of(func(m *store.Message) any { return &m.Seq })},
	{"t_at", "INTEGER", 3, "the message's last byte crossed the proxy", of(func(m *store.Message) any { return &m.At })},
	{"dir", "TEXT NOT NULL DEFAULT ''", 3, "`send` (browser to origin) or `receive`", of(func(m *store.Message) any { return &m.Dir })},
	{"opcode", "INTEGER NOT NULL DEFAULT 0", 3, "the WebSocket opcode (1 text, 2 binary, 8 close, 9 ping, 10 pong; RFC 6455 §5.2); 0 for an event", of(func(m *store.Message) any { return &m.Opcode })},
	{"size", "INTEGER NOT NULL DEFAULT 0", 3, "the payload's size in bytes (decompressed)", of(func(m *store.Message) any { return &m.Size })},
	{"wire_size", "INTEGER NOT NULL DEFAULT 0", 3, "what its frames' payloads carried, compressed or not", of(func(m *store.Message) any { return &m.WireSize })},
	{"compressed", "INTEGER NOT NULL DEFAULT 0", 3, "1 when it crossed deflated (permessage-deflate, RFC 7692)", of(func(m *store.Message) any { return &m.Compressed })},
	{"data", "BLOB", 3, "the payload's first KiB (an event's data)", of(func(m *store.Message) any { return &m.Data })},
	{"event", "TEXT NOT NULL DEFAULT ''", 3, "an event's type; empty for the default (`message`) and for WebSocket messages", of(func(m *store.Message) any { return &m.Event })},
	{"event_id", "TEXT NOT NULL DEFAULT ''", 3, "an event's id field", of(func(m *store.Message) any { return &m.EventID })},
	{"note", "TEXT NOT NULL DEFAULT ''", 3, "what the proxy could not read of it, in words; empty when it read it all", of(func(m *store.Message) any { return &m.Note })},
})

// RecordMessages implements store.MessageRecorder: queued like the rest.
func (w *Writer) RecordMessages(msgs []store.Message) {
	if len(msgs) > 0 {
		w.send(item{msgs: msgs})
	}
}

var _ store.MessageRecorder = (*Writer)(nil)

func (s *stmts) messages(session int64, msgs []store.Message) error {
	for i := range msgs {
		s.args = messageTable.args(s.args[:0], session, &msgs[i])
		if err := s.exec(messageTable.replace, s.args...); err != nil {
			return err
		}
	}
	return nil
}

// Messages implements store.MessageReader. A database from before the
// table, opened read-only and so not migrated, has none.
func (db *DB) Messages(ctx context.Context, sessionID, flowID int64) ([]store.Message, error) {
	out, err := queryAll(ctx, db.ro, messageTable.dests, `SELECT `+messageTable.selectList+
		` FROM messages WHERE session_id = ? AND flow_id = ? ORDER BY seq`, sessionID, flowID)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read messages of flow %d: %w", flowID, err)
	}
	return out, nil
}

var _ store.MessageReader = (*DB)(nil)
