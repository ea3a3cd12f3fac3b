package sqlite

// DirectIO reports whether db's body file is written with direct I/O
// (opened by a first large body; false before).
func DirectIO(db *DB) (bool, error) {
	db.bodies.mu.Lock()
	defer db.bodies.mu.Unlock()
	return db.bodies.direct, nil
}

// RunRows is how many flows w wrote in runs of rows (multirow.go), in
// transactions that committed or not.
func RunRows(w *Writer) int64 { return w.runRows.Load() }
