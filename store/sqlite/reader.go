package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// queryAll runs query and reads every row into a T through the Scan
// destinations dests gives. The destinations are taken once, into one T
// that each row is scanned into, copied out of and cleared: per row, the
// Scan and a copy.
func queryAll[T any](ctx context.Context, db *sql.DB, dests func(*T) []any, query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var v, zero T
	d := dests(&v)
	var out []T
	for rows.Next() {
		if err := rows.Scan(d...); err != nil {
			return nil, err
		}
		out = append(out, v)
		v = zero // destinations leave a field alone on NULL (errorDest, jsonDest)
	}
	return out, rows.Err()
}

// queryOne reads the first row of query; sql.ErrNoRows when there is none.
func queryOne[T any](ctx context.Context, db *sql.DB, dests func(*T) []any, query string, args ...any) (T, error) {
	var v T
	err := db.QueryRowContext(ctx, query, args...).Scan(dests(&v)...)
	return v, err
}

// sessionRows reads the rows of a session from e's table, in ID order;
// what names them in an error.
func sessionRows[T any](ctx context.Context, db *sql.DB, e *entity[T], session int64, what string) ([]T, error) {
	out, err := queryAll(ctx, db, e.dests, `SELECT `+e.selectList+` FROM `+e.name+` WHERE session_id = ? ORDER BY id`, session)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return out, nil
}

// Conns, Lookups and Pages read a session's rows of their tables.

// Conns implements store.Reader.
func (db *DB) Conns(ctx context.Context, sessionID int64) ([]store.Conn, error) {
	return sessionRows(ctx, db.ro, connTable, sessionID, "connections")
}

// Lookups implements store.Reader.
func (db *DB) Lookups(ctx context.Context, sessionID int64) ([]store.Lookup, error) {
	return sessionRows(ctx, db.ro, lookupTable, sessionID, "lookups")
}

// Pages implements store.Reader.
func (db *DB) Pages(ctx context.Context, sessionID int64) ([]store.Page, error) {
	return sessionRows(ctx, db.ro, pageTable, sessionID, "pages")
}

// Resends implements store.ResendIndex.
func (db *DB) Resends(ctx context.Context, sessionID int64) (map[int64][]int64, error) {
	type pair struct{ id, of int64 }
	rows, err := queryAll(ctx, db.ro, func(p *pair) []any { return []any{&p.id, &p.of} },
		`SELECT id, resend_of FROM flows WHERE session_id = ? AND resend_of != 0 ORDER BY id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("read resent flows: %w", err)
	}
	out := make(map[int64][]int64, len(rows))
	for _, p := range rows {
		out[p.of] = append(out[p.of], p.id)
	}
	return out, nil
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
