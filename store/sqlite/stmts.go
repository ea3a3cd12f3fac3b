package sqlite

import "database/sql"

// writerStatements are every statement the writer runs, prepared before
// its first transaction.
var writerStatements = []string{
	flowTable.insert, flowTable.replace, bodyTable.insert, bodyTable.replace, deleteBody, maxRev,
	connTable.replace, lookupTable.replace, pageTable.replace, messageTable.replace,
}

// stmts runs the writer's statements inside one transaction. Each
// statement is prepared once per writer on its connection (the pool has
// one) and bound to each transaction with Tx.Stmt, which reuses it:
// preparing per batch cost 6% of the proxy's CPU at a few thousand flows/s.
type stmts struct {
	tx   *sql.Tx
	w    *Writer
	inTx map[string]*sql.Stmt
	seen *idSet // the writer's: flows recorded before
	// args are the values of the row being written, and row the body
	// being written: kept here, they are allocated once a transaction.
	args []any
	row  bodyRow
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
// transactions take the lock when they begin (_txlock=immediate), so two
// writers on one session (glassbox resend attached to it) never give the
// same number, and numbers grow in the order rows are committed.
func (s *stmts) nextRev() int64 {
	if s.rev == 0 {
		var max int64
		if st, err := s.stmt(maxRev); err == nil {
			st.QueryRow(s.session).Scan(&max) // on error, the row's write that follows reports the database's trouble
		}
		s.rev = max
	}
	s.rev++
	return s.rev
}

const maxRev = `SELECT coalesce(max(rev), 0) FROM flows WHERE session_id = ?`

func (s *stmts) exec(query string, args ...any) error {
	st, err := s.stmt(query)
	if err != nil {
		return err
	}
	_, err = st.Exec(args...)
	return err
}

// stmt is the writer's prepared query bound to this transaction.
func (s *stmts) stmt(query string) (*sql.Stmt, error) {
	st, ok := s.inTx[query]
	if !ok {
		base, err := s.w.prepared(query)
		if err != nil {
			return nil, err
		}
		if s.inTx == nil {
			s.inTx = map[string]*sql.Stmt{}
		}
		st = s.tx.Stmt(base)
		s.inTx[query] = st
	}
	return st, nil
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

func (s *stmts) close() {
	for _, st := range s.inTx {
		st.Close()
	}
}
