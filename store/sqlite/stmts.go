package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// writerStatements are every statement the writer runs, prepared before
// its first transaction.
var writerStatements = []string{
	flowTable.insert, flowTable.replace, bodyTable.insert, bodyTable.replace, deleteBody, maxRev,
	connTable.replace, lookupTable.replace, pageTable.replace, messageTable.replace,
}

// stmts runs the writer's statements inside one transaction, on the
// driver's connection itself (database/sql's Conn.Raw): each statement is
// prepared once per connection and executed with arguments bound straight
// from the row. Through database/sql, a flow's two statements cost about
// 3 µs more (converting and checking each of the row's 60 arguments, and
// a Tx-bound copy of each statement per transaction), a fifth of the
// writer's time in the https-32 profile (issue 20).
type stmts struct {
	conn *sqlite3.SQLiteConn
	w    *Writer
	seen *idSet // the writer's: flows recorded before
	// args are the values of the row being written, named their driver
	// arguments, and row the body being written: kept here, they are
	// allocated once a transaction.
	args  []any
	named []driver.NamedValue
	row   bodyRow
	// rev is the last change number given in this transaction (0: none
	// yet); session is the session it counts in.
	rev     int64
	session int64
	// bodyStart is where this transaction's first body went in the body
	// file, -1 before one did: a rollback cuts the file back to it.
	bodyStart int64
	// written is where each large body of the batch went, by its first
	// byte (writeBodies).
	written map[*byte]bodyRef
}

// nextRev is the change number of the next flow written (Flow.Rev): one
// more than the session's highest, read once a transaction. Write
// transactions take the lock when they begin (BEGIN IMMEDIATE), so two
// writers on one session (glassbox resend attached to it) never give the
// same number, and numbers grow in the order rows are committed.
func (s *stmts) nextRev() int64 {
	if s.rev == 0 {
		s.rev = s.maxRev() // on error 0: the row's write that follows reports the database's trouble
	}
	s.rev++
	return s.rev
}

const maxRev = `SELECT coalesce(max(rev), 0) FROM flows WHERE session_id = ?`

func (s *stmts) maxRev() int64 {
	st, err := s.w.prepared(s.conn, maxRev)
	if err != nil {
		return 0
	}
	rows, err := st.QueryContext(context.Background(), []driver.NamedValue{{Ordinal: 1, Value: s.session}})
	if err != nil {
		return 0
	}
	defer rows.Close()
	dest := []driver.Value{nil}
	if rows.Next(dest) != nil {
		return 0
	}
	max, _ := dest[0].(int64)
	return max
}

func (s *stmts) exec(query string, args ...any) error {
	st, err := s.w.prepared(s.conn, query)
	if err != nil {
		return err
	}
	s.named = s.named[:0]
	for i, a := range args {
		if !driver.IsValue(a) {
			// an int, say, which database/sql would have converted:
			// the driver binds only its own value types
			if a, err = driver.DefaultParameterConverter.ConvertValue(a); err != nil {
				return fmt.Errorf("argument %d: %w", i+1, err)
			}
		}
		s.named = append(s.named, driver.NamedValue{Ordinal: i + 1, Value: a})
	}
	// As a query, not with Exec: go-sqlite3 binds a query's arguments and
	// takes its first step in one call into C (its bindAndFirstStep), where
	// Exec makes a call per argument; a flow's row has 60. About 1 µs less
	// per flow in BenchmarkWriter.
	rows, err := st.QueryContext(context.Background(), s.named)
	if err != nil {
		return err
	}
	return rows.Close()
}

// replaceRow writes v, numbered id in its session, into e's table with
// INSERT OR REPLACE.
func replaceRow[T any](s *stmts, e *entity[T], session, id int64, v *T) error {
	if id <= 0 {
		return errNoID
	}
	s.args = e.args(s.args[:0], session, v)
	return s.exec(e.replace, s.args...)
}
