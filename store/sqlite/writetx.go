package sqlite

import (
	"context"
	"fmt"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// write commits batch in one transaction on the writer's connection,
// driven through the driver itself (stmts says why).
func (w *Writer) write(batch []item) error {
	conn, err := w.db.rw.Conn(context.Background())
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("record: the database driver is %T, not go-sqlite3", dc)
		}
		return w.writeOn(c, batch)
	})
}

func (w *Writer) writeOn(c *sqlite3.SQLiteConn, batch []item) (err error) {
	for _, q := range writerStatements {
		if _, err := w.prepared(c, q); err != nil {
			return fmt.Errorf("record: %w", err)
		}
	}
	// IMMEDIATE: the write lock is taken now, not at the first write, so
	// two writers of one session never both read the same change number
	// (nextRev) before either writes.
	if _, err := c.Exec("BEGIN IMMEDIATE", nil); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	st := stmts{conn: c, w: w, seen: &w.seen, session: w.sessionID, bodyStart: -1}
	defer func() {
		if err != nil {
			st.dropBodies() // before the rollback lets another writer append
			c.Exec("ROLLBACK", nil)
		}
	}()
	if err = st.writeBodies(batch); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	for i := 0; i < len(batch); i++ {
		if n := st.freshRun(batch[i:]); n >= minRun {
			if err = st.flowRun(w.sessionID, batch[i:i+n]); err != nil {
				return fmt.Errorf("record: %w", err)
			}
			i += n - 1
			continue
		}
		switch it := batch[i]; {
		case it.flow != nil:
			err = st.flow(w.sessionID, it.flow)
		case it.conn != nil:
			err = replaceRow(&st, connTable, w.sessionID, it.conn.ID, it.conn)
		case it.lookup != nil:
			err = replaceRow(&st, lookupTable, w.sessionID, it.lookup.ID, it.lookup)
		case it.page != nil:
			err = replaceRow(&st, pageTable, w.sessionID, it.page.ID, it.page)
		case it.msgs != nil:
			err = st.messages(w.sessionID, it.msgs)
		}
		if err != nil {
			return fmt.Errorf("record: %w", err)
		}
	}
	if _, err := c.Exec("COMMIT", nil); err != nil {
		return fmt.Errorf("record: commit: %w", err)
	}
	return nil
}

// prepared returns the writer's statement for query, prepared on c. A new
// connection (the pool replaced one it found broken) prepares them again.
func (w *Writer) prepared(c *sqlite3.SQLiteConn, query string) (*sqlite3.SQLiteStmt, error) {
	if c != w.conn {
		w.dropStatements()
		w.conn, w.stmts = c, map[string]*sqlite3.SQLiteStmt{}
	}
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	ds, err := c.Prepare(query)
	if err != nil {
		return nil, err
	}
	st, ok := ds.(*sqlite3.SQLiteStmt)
	if !ok {
		ds.Close()
		return nil, fmt.Errorf("prepared statement is %T, not go-sqlite3's", ds)
	}
	w.stmts[query] = st
	return st, nil
}

// dropStatements finalises the writer's statements.
func (w *Writer) dropStatements() {
	for _, st := range w.stmts {
		st.Close()
	}
	w.stmts, w.conn = nil, nil
}

// closeStatements finalises the writer's statements on their connection,
// taken from the pool for it (nobody else uses a connection while it is
// out of the pool).
func (w *Writer) closeStatements() {
	if len(w.stmts) == 0 {
		return
	}
	conn, err := w.db.rw.Conn(context.Background())
	if err != nil {
		return // the pool is closed, and its connection with the statements
	}
	defer conn.Close()
	conn.Raw(func(any) error { w.dropStatements(); return nil })
}
