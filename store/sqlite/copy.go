package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// CopySession writes one session, everything recorded in it, into a new
// database at path that holds every body in its rows: one file, with no
// body file beside it, to copy, send or open with any SQLite tool
// (`glassbox export --format sqlite`). sessionID 0 is the latest. It
// returns the session copied and its number of flows. path must not exist.
func (db *DB) CopySession(ctx context.Context, sessionID int64, path string) (int64, int64, error) {
	sess, err := db.Session(ctx, sessionID)
	if err != nil {
		return 0, 0, err
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return 0, 0, fmt.Errorf("%s exists: a SQLite export is never written over a file; choose another name", path)
	}
	dst, err := Open(path)
	if err != nil {
		return 0, 0, err
	}
	ok := false
	defer func() {
		dst.Close()
		if !ok {
			for _, s := range []string{"", "-wal", "-shm", BodyFileSuffix} {
				os.Remove(path + s)
			}
		}
	}()
	if err := dst.copyFrom(ctx, db, sess.ID); err != nil {
		return 0, 0, fmt.Errorf("copy session %d to %s: %w", sess.ID, path, err)
	}
	var flows int64
	if err := dst.rw.QueryRowContext(ctx, `SELECT count(*) FROM flows`).Scan(&flows); err != nil {
		return 0, 0, err
	}
	// Fold the WAL into the file, so the one file is the whole copy.
	if _, err := dst.rw.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, 0, fmt.Errorf("copy session %d to %s: %w", sess.ID, path, err)
	}
	ok = true
	return sess.ID, flows, nil
}

// copyFrom copies session id of src, table by table, then reads the
// bodies src keeps in its body file into their rows.
func (dst *DB) copyFrom(ctx context.Context, src *DB, id int64) error {
	conn, err := dst.rw.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	uri := "file:" + strings.ReplaceAll(src.path, "?", "%3f") + "?mode=ro"
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS src`, uri); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `DETACH DATABASE src`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range tables {
		names := make([]string, len(t.cols))
		for i, c := range t.cols {
			names[i] = c.name
		}
		cols, key := strings.Join(names, ", "), "session_id"
		if t.name == "sessions" {
			key = "id"
		}
		q := fmt.Sprintf(`INSERT INTO main.%s (%s) SELECT %s FROM src.%s WHERE %s = ?`, t.name, cols, cols, t.name, key)
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	if err := inlineBodies(ctx, tx, src); err != nil {
		return err
	}
	return tx.Commit()
}

// inlineBodies reads every body the copy's rows place in src's body file
// into the rows themselves. One that file lost is left out, as a reader
// of src would find it: its flow then says the copy holds less.
func inlineBodies(ctx context.Context, tx *sql.Tx, src *DB) error {
	type ref struct {
		session, flow, off, size int64
		which                    int
		crc                      uint32
	}
	rows, err := tx.QueryContext(ctx, `SELECT session_id, flow_id, which, file_offset, file_size, file_crc FROM main.bodies WHERE file_offset >= 0`)
	if err != nil {
		return err
	}
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.session, &r.flow, &r.which, &r.off, &r.size, &r.crc); err != nil {
			rows.Close()
			return err
		}
		refs = append(refs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range refs {
		data, err := src.bodies.read(r.off, r.size, r.crc)
		switch {
		case errors.Is(err, errBodyLost):
			truncated := "req_body_truncated"
			if r.which == bodyResponse {
				truncated = "resp_body_truncated"
			}
			_, err = tx.ExecContext(ctx, `DELETE FROM main.bodies WHERE session_id = ? AND flow_id = ? AND which = ?`, r.session, r.flow, r.which)
			if err == nil {
				_, err = tx.ExecContext(ctx, `UPDATE main.flows SET `+truncated+` = 1 WHERE session_id = ? AND id = ?`, r.session, r.flow)
			}
		case err == nil:
			_, err = tx.ExecContext(ctx, `UPDATE main.bodies SET data = ?, file_offset = -1, file_size = 0, file_crc = 0
				WHERE session_id = ? AND flow_id = ? AND which = ?`, data, r.session, r.flow, r.which)
		}
		if err != nil {
			return fmt.Errorf("body of flow %d: %w", r.flow, err)
		}
	}
	return nil
}
