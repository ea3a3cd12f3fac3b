// Package sqlite is glassbox's one storage implementation: a SQLite file
// in WAL mode, with a body file beside it for bodies of 64 KiB and more
// (bodyfile.go says why: each byte written once, with direct I/O), one
// batching writer goroutine (Writer, a store.Recorder) and a separate
// read-only connection pool for viewers (DB implements store.Reader).
// CopySession makes one self-contained file of a session.
//
// The schema is declared table by table, one file each (sessions.go,
// flows.go, bodies.go, conns.go, lookups.go, pages.go): every column with
// its type, the schema version that added it, a line of documentation and
// the model field it holds. The INSERT statements, the SELECT lists, the
// Scan destinations and the migrations (recorded in schema_migrations) are
// derived from those declarations (schema.go, migrate.go), and so are the
// table sections of README.md, the schema document for users. The design
// first had hand-written SQL migrations embedded as files; they became
// declarations so that a new field is one line in one file instead of five
// edits (a column list, 38 positional parameters, a scanner, a migration
// and the README) that could disagree. Databases made by the SQL files
// open and migrate as before (testdata/v2 keeps that SQL for the tests).
package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/glassbox-dev/glassbox/store"
)

// driverName is go-sqlite3 with glassbox's per-connection settings, which
// its DSN has no parameter for.
const driverName = "sqlite3-glassbox"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		// Statement journals (SQLite keeps one per INSERT OR REPLACE, to
		// undo it alone if it fails) in memory, not in a temporary file:
		// on disk they were a pwrite(2) per page written, the largest
		// single cost of the writer in a profile.
		_, err := c.Exec(`PRAGMA temp_store = MEMORY`, nil)
		return err
	}})
}

// DB is an open glassbox database.
type DB struct {
	path string
	rw   *sql.DB // one connection, the only writer (see dsn for its locking)
	ro   *sql.DB // pooled, read-only: viewers never block the writer in WAL mode
	// bodies is the body file beside the database (bodyfile.go).
	bodies *bodyFile
	// Now is the clock; tests replace it.
	Now func() time.Time
}

var _ store.Reader = (*DB)(nil)

// DefaultPath is where the database lives unless --db says otherwise:
// $GLASSBOX_HOME/glassbox.db, else the user's data directory.
func DefaultPath() (string, error) {
	if h := os.Getenv("GLASSBOX_HOME"); h != "" {
		return filepath.Join(h, "glassbox.db"), nil
	}
	dir, err := dataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "glassbox", "glassbox.db"), nil
}

func dataDir() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return d, nil
		}
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Application Support"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find a place for the database: %w (set GLASSBOX_HOME or use --db)", err)
	}
	return filepath.Join(home, ".local", "share"), nil
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	// WAL lets viewers read while the proxy writes.
	q.Set("_journal_mode", "WAL")
	// NORMAL is durable across application crashes in WAL mode; a power
	// loss may lose the last transactions, never corrupt the file.
	q.Set("_synchronous", "NORMAL")
	// Wait for a lock rather than fail at once (another process may hold it).
	q.Set("_busy_timeout", "5000")
	q.Set("_foreign_keys", "on")
	// No per-connection mutex: database/sql never lets two goroutines use
	// a connection at once, and the full mutex (go-sqlite3's default) was
	// a lock and an unlock around every SQLite call, 10% of the writer.
	q.Set("_mutex", "no")
	if readOnly {
		q.Set("mode", "ro")
	} else {
		// Take the write lock at BEGIN. With the default deferred lock, 8
		// goroutines doing read-then-write transactions hit hundreds of
		// SQLITE_BUSY errors (measured with go-sqlite3 on a 2-core
		// machine); with immediate, none.
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path for reading and
// writing, and brings its schema up to date. The file is created 0600 in a
// 0700 directory: captures hold cookies and tokens.
func Open(path string) (*DB, error) {
	if err := prepareFile(path); err != nil {
		return nil, err
	}
	rw, err := sql.Open(driverName, dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	rw.SetMaxOpenConns(1)
	if err := rw.Ping(); err != nil {
		rw.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := &DB{path: path, rw: rw, Now: time.Now, bodies: &bodyFile{path: path + BodyFileSuffix, db: path}}
	if err := migrate(db.rw, schemaVersions); err != nil {
		rw.Close()
		return nil, err
	}
	if db.ro, err = openRO(path); err != nil {
		rw.Close()
		return nil, err
	}
	return db, nil
}

// OpenReadOnly opens an existing database for viewing only. A database
// written by an older glassbox is brought up to date first when the file
// can be written (migrations only add), so viewers can read it.
func OpenReadOnly(path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s: record something first (glassbox proxy), or pass --db", path)
		}
		return nil, err
	}
	if behind, err := schemaBehind(path); err == nil && behind {
		rw, err := Open(path)
		if err != nil {
			return nil, fmt.Errorf("%s was written by an older glassbox and cannot be updated: %w", path, err)
		}
		rw.Close()
	}
	ro, err := openRO(path)
	if err != nil {
		return nil, err
	}
	db := &DB{path: path, ro: ro, Now: time.Now, bodies: &bodyFile{path: path + BodyFileSuffix, db: path}}
	var n int
	if err := ro.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'flows'`).Scan(&n); err != nil || n == 0 {
		ro.Close()
		if err == nil {
			err = errors.New("it has no flows table")
		}
		return nil, fmt.Errorf("%s is not a glassbox database: %w", path, err)
	}
	return db, nil
}

func openRO(path string) (*sql.DB, error) {
	ro, err := sql.Open(driverName, dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	ro.SetMaxOpenConns(4)
	if err := ro.Ping(); err != nil {
		ro.Close()
		return nil, fmt.Errorf("open database %s read-only: %w", path, err)
	}
	return ro, nil
}

// prepareFile makes the directory (0700) and the database file (0600,
// createFile), tightening permissions that are looser than that: the
// file's, its -wal and -shm companions' (SQLite gives new ones the file's
// mode, but leaves existing ones as they are, and they hold the same
// captures), and glassbox's own directory's. A directory chosen with --db
// is the user's and keeps its mode: tightening /tmp or a home directory
// would break other things, and the files in it are private anyway.
func prepareFile(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create database directory %s: %w", dir, err)
	}
	if own, err := DefaultPath(); err == nil && filepath.Dir(own) == dir {
		if err := tighten(dir, 0o700); err != nil {
			return err
		}
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if err := createFile(path); err != nil {
			return err
		}
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + BodyFileSuffix} {
		if err := tighten(p, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// createFile makes a new database at path with glassbox's page size, in WAL
// mode: it is made under a temporary name and linked into place, so no
// glassbox ever opens a database another is still setting up. (When two
// set up the same empty file at once, one failed with "database is
// locked".) The first link wins; the others find the database there.
func createFile(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".glassbox-new-*.db")
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	tmp.Close()
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(tmp.Name() + suffix)
		}
	}()
	if err := setPageSize(tmp.Name()); err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	err = os.Link(tmp.Name(), path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// A file system without hard links: the same, not atomic.
		if _, serr := os.Stat(path); errors.Is(serr, fs.ErrNotExist) {
			err = os.Rename(tmp.Name(), path)
		} else {
			err = nil
		}
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return nil
}

// tighten takes the group's and others' permissions off path, when it
// exists and has any.
func tighten(path string, mode os.FileMode) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil && st.Mode().Perm()&0o077 != 0 {
		err = os.Chmod(path, mode)
	}
	if err != nil {
		return fmt.Errorf("%s is readable by others and cannot be fixed: %w", path, err)
	}
	return nil
}

// pageSize is the page size of databases glassbox creates. SQLite's
// default (4 KiB) costs two write(2) calls per page in the WAL and a read
// and a write per page at each checkpoint: a 1 MiB body was over 500
// system calls. 16 KiB pages stored 1 MiB bodies 1.8x faster and batches
// of small flows 1.5x faster (docs/BENCHMARKS.md); 64 KiB pages made small
// commits slower again, because each rewrites whole pages.
const pageSize = 16384

// setPageSize gives a new, empty database glassbox's page size. It must
// happen before the first write, and before WAL mode, which fixes the page
// size: so on its own connection, before the usual one.
func setPageSize(path string) error {
	c, err := sql.Open(driverName, "file:"+(&url.URL{Path: path}).EscapedPath())
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Exec(fmt.Sprintf(`PRAGMA page_size = %d; PRAGMA journal_mode = WAL`, pageSize)); err != nil {
		return err
	}
	return c.Close()
}

// SetMaxSize caps the database file at about max bytes (PRAGMA
// max_page_count; 0 removes the cap), and the database with its body file
// at max. Once full, writes fail exactly as on
// a full disk ("database or disk is full"): the writer counts what it
// could not store and the proxy keeps forwarding.
func (db *DB) SetMaxSize(max int64) error {
	if db.rw == nil {
		return errors.New("database opened read-only")
	}
	var pageSize int64
	if err := db.rw.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		return fmt.Errorf("database size limit: %w", err)
	}
	pages := int64(1<<31 - 2) // SQLite's own maximum
	if max > 0 {
		pages = max/pageSize + 1
	}
	db.bodies.mu.Lock()
	db.bodies.max = max
	db.bodies.mu.Unlock()
	// The writer pool has one connection, so the pragma stays in force.
	if _, err := db.rw.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		return fmt.Errorf("database size limit: %w", err)
	}
	return nil
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Close closes both pools. Close every Writer first.
func (db *DB) Close() error {
	var errs []error
	if db.rw != nil {
		errs = append(errs, db.rw.Close())
	}
	if db.ro != nil {
		errs = append(errs, db.ro.Close())
	}
	if db.bodies != nil {
		errs = append(errs, db.bodies.close())
	}
	return errors.Join(errs...)
}
