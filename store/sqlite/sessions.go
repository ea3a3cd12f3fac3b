package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

var sessionTable = newEntity(table{name: "sessions", row: "proxy run or imported file", since: 1, doc: `
One row per run of the proxy, or per imported HAR file. Everything else is
recorded inside a session; deleting a session deletes all of it.`}, []column[store.Session]{
	{"id", "INTEGER PRIMARY KEY AUTOINCREMENT", 1, "the session's number (`--session ID`)", autoID(func(s *store.Session) any { return &s.ID })},
	{"started", "INTEGER NOT NULL", 1, "when recording began", of(func(s *store.Session) any { return &s.Started })},
	{"ended", "INTEGER", 1, "when recording stopped; NULL while it runs, or when glassbox was killed", of(func(s *store.Session) any { return &s.Ended })},
	{"source", "TEXT NOT NULL DEFAULT 'proxy'", 1, "`proxy`, or `import:FILE` for an imported HAR file", of(func(s *store.Session) any { return &s.Source })},
	{"listen", "TEXT NOT NULL DEFAULT ''", 1, "the addresses the proxy listened on, space separated; empty for imports", of(func(s *store.Session) any { return &s.Listen })},
	{"interrupted", "INTEGER NOT NULL DEFAULT 0", 3, "1 when the proxy stopped without closing the session (killed, crashed) and a later start closed it: `ended` is then the last moment recorded", of(func(s *store.Session) any { return &s.Interrupted })},
	{"network", "TEXT NOT NULL DEFAULT ''", 3, "how glassbox shaped its upstream traffic (`--latency`, `--bandwidth`, `--network`), in words; empty when it did not", of(func(s *store.Session) any { return &s.Network })},
})

// sessionCounts are read with every session (store.Session's Flows and Pages).
const sessionCounts = `(SELECT count(*) FROM flows f WHERE f.session_id = sessions.id),
	(SELECT count(*) FROM pages p WHERE p.session_id = sessions.id)`

var selectSessions = "SELECT " + sessionTable.selectList + ",\n\t" + sessionCounts + " FROM sessions"

func sessionDests(s *store.Session) []any {
	return append(sessionTable.dests(s), dest[int64]{&s.Flows, intFrom[int64]}, dest[int64]{&s.Pages, intFrom[int64]})
}

// StartSession writes a new session row and returns it with its ID.
func (db *DB) StartSession(ctx context.Context, s store.Session) (store.Session, error) {
	if db.rw == nil {
		return s, errors.New("database opened read-only")
	}
	if s.Started.IsZero() {
		s.Started = db.Now()
	}
	if s.Source == "" {
		s.Source = "proxy"
	}
	res, err := db.rw.ExecContext(ctx, sessionTable.insert, sessionTable.args(nil, 0, &s)...)
	if err != nil {
		return s, fmt.Errorf("start session: %w", err)
	}
	s.ID, err = res.LastInsertId()
	return s, err
}

// InterruptSession closes a session whose proxy stopped without closing
// it: ended becomes the last moment recorded in it (a flow's start or
// end, else the session's start), and interrupted 1. It returns the
// session as it now is.
func (db *DB) InterruptSession(ctx context.Context, id int64) (store.Session, error) {
	if db.rw == nil {
		return store.Session{}, errors.New("database opened read-only")
	}
	_, err := db.rw.ExecContext(ctx, `UPDATE sessions SET interrupted = 1, ended = max(started,
		coalesce((SELECT max(max(coalesce(t_start, 0), coalesce(t_end, 0))) FROM flows WHERE session_id = sessions.id), 0))
		WHERE id = ? AND ended IS NULL`, id)
	if err != nil {
		return store.Session{}, fmt.Errorf("close interrupted session %d: %w", id, err)
	}
	return db.Session(ctx, id)
}

// EndSession marks a session as finished.
func (db *DB) EndSession(ctx context.Context, id int64, end time.Time) error {
	if db.rw == nil {
		return errors.New("database opened read-only")
	}
	_, err := db.rw.ExecContext(ctx, `UPDATE sessions SET ended = ? WHERE id = ?`, nanos(end), id)
	if err != nil {
		return fmt.Errorf("end session %d: %w", id, err)
	}
	return nil
}

// SetSessionNetwork records how a session's traffic was shaped (an
// imported file says so only once it is read).
func (db *DB) SetSessionNetwork(ctx context.Context, id int64, network string) error {
	if db.rw == nil {
		return errors.New("database opened read-only")
	}
	if _, err := db.rw.ExecContext(ctx, `UPDATE sessions SET network = ? WHERE id = ?`, network, id); err != nil {
		return fmt.Errorf("session %d: %w", id, err)
	}
	return nil
}

// DeleteSession removes a session and everything recorded in it (the other
// tables' session_id cascades).
func (db *DB) DeleteSession(ctx context.Context, id int64) error {
	if db.rw == nil {
		return errors.New("database opened read-only")
	}
	res, err := db.rw.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete session %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("session %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// Sessions implements store.Reader.
func (db *DB) Sessions(ctx context.Context) ([]store.Session, error) {
	q := selectSessions + ` ORDER BY id DESC`
	out, err := queryAll(ctx, db.ro, sessionDests, q)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// Session implements store.Reader; id 0 is the latest session.
func (db *DB) Session(ctx context.Context, id int64) (store.Session, error) {
	q := selectSessions + ` WHERE id = ?`
	args := []any{id}
	if id == 0 {
		q = selectSessions + ` ORDER BY id DESC LIMIT 1`
		args = nil
	}
	s, err := queryOne(ctx, db.ro, sessionDests, q, args...)
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
