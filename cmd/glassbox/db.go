package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// dbUsage is the help of every command's --db flag.
const dbUsage = "SQLite database file (default: $GLASSBOX_HOME/glassbox.db or the user data directory)"

// dbPathOrDefault is p, or the default database when p is empty.
func dbPathOrDefault(p string) (string, error) {
	if p != "" {
		return p, nil
	}
	return sqlite.DefaultPath()
}

// openReadOnly opens the database at p (or the default) through the
// read-only pool, for the commands that only look, and returns its path.
func openReadOnly(p string) (*sqlite.DB, string, error) {
	path, err := dbPathOrDefault(p)
	if err != nil {
		return nil, "", err
	}
	db, err := sqlite.OpenReadOnly(path)
	if err != nil {
		return nil, "", err
	}
	return db, path, nil
}

// findSession checks that session id (0: the latest) is in the database at
// path, and says where to look when it is not.
func findSession(ctx context.Context, db *sqlite.DB, path string, id int64) (store.Session, error) {
	s, err := db.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return s, fmt.Errorf("%w (glassbox sessions lists what %s holds)", err, path)
	}
	return s, err
}
