package sqlite

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// createMigrations makes the table that records the schema versions
// applied. SQLite keeps a table's CREATE text in sqlite_master, so this one
// is kept word for word as glassbox has always written it.
const createMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)`

// migration is one schema version: the statements that bring a database
// from the version before it to this one.
type migration struct {
	version int
	name    string // what it does, recorded in schema_migrations
	stmts   []string
}

// schemaVersions are glassbox's migrations, derived from the tables.
var schemaVersions = mustMigrations(tables)

func mustMigrations(tables []*table) []migration {
	ms, err := migrations(tables)
	if err != nil {
		panic("sqlite schema: " + err.Error())
	}
	return ms
}

// migrations derives the schema's versions from the tables' declarations.
// Version v creates the tables of version v, adds the later columns of
// version v to older tables (ALTER TABLE ADD COLUMN appends, hence the
// column order newEntity checks) and creates the indexes of version v. A
// database created at the latest version and one migrated to it from any
// older version end up with the same schema, to the text.
func migrations(tables []*table) ([]migration, error) {
	latest := 0
	for _, t := range tables {
		latest = max(latest, t.since)
		for _, c := range t.cols {
			latest = max(latest, c.since)
		}
		for _, ix := range t.indexes {
			latest = max(latest, ix.since)
		}
	}
	ms := make([]migration, latest)
	for v := 1; v <= latest; v++ {
		m := &ms[v-1]
		m.version = v
		var created, added, indexed []string
		for _, t := range tables {
			if t.since == v {
				m.stmts = append(m.stmts, createTable(t))
				created = append(created, t.name)
			}
		}
		for _, t := range tables {
			for _, c := range t.cols {
				if c.since == v && t.since < v {
					m.stmts = append(m.stmts, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", t.name, c.name, c.decl))
					added = append(added, t.name+"."+c.name)
				}
			}
		}
		for _, t := range tables {
			for _, b := range t.backfills {
				if b.since == v && t.since < v {
					m.stmts = append(m.stmts, b.stmt)
				}
			}
		}
		for _, t := range tables {
			for _, ix := range t.indexes {
				if ix.since == v {
					m.stmts = append(m.stmts, fmt.Sprintf("CREATE INDEX %s ON %s(%s)", ix.name, t.name, ix.cols))
					indexed = append(indexed, ix.name)
				}
			}
		}
		if len(m.stmts) == 0 {
			return nil, fmt.Errorf("version %d changes nothing: versions must follow one another from 1", v)
		}
		m.name = strings.Join(slices.DeleteFunc([]string{
			joined("create ", created), joined("add ", added), joined("index ", indexed),
		}, func(s string) bool { return s == "" }), "; ")
	}
	return ms, nil
}

// joined is prefix and the names, or "" when there are none.
func joined(prefix string, names []string) string {
	if len(names) == 0 {
		return ""
	}
	return prefix + strings.Join(names, ", ")
}

// createTable is the CREATE TABLE statement of t with the columns it was
// created with, laid out as the hand-written first schema laid them out
// (testdata/v2/0001_init.sql): names and types in aligned columns. SQLite
// keeps the text, so a new database matches one made by that file.
func createTable(t *table) string {
	var cols []columnSchema
	nameW, typeW := 0, 0
	for _, c := range t.cols {
		if c.since == t.since {
			cols = append(cols, c)
			typ, _, _ := strings.Cut(c.decl, " ")
			nameW, typeW = max(nameW, len(c.name)), max(typeW, len(typ))
		}
	}
	var lines []string
	for _, c := range cols {
		typ, rest, _ := strings.Cut(c.decl, " ")
		line := fmt.Sprintf("    %-*s %s", nameW, c.name, typ)
		if rest != "" {
			line = fmt.Sprintf("    %-*s %-*s %s", nameW, c.name, typeW, typ, rest)
		}
		lines = append(lines, line)
	}
	if t.key != "" {
		lines = append(lines, "    PRIMARY KEY ("+t.key+")")
	}
	return "CREATE TABLE " + t.name + " (\n" + strings.Join(lines, ",\n") + "\n)"
}

// migrate brings the database up to the latest schema version, each
// version in its own transaction, recorded in schema_migrations.
func migrate(rw *sql.DB, versions []migration) error {
	if _, err := rw.Exec(createMigrations); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range versions {
		if err := apply(rw, m); err != nil {
			return fmt.Errorf("migrate to version %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

// apply brings the database to version m unless it is there already. The
// check is inside the transaction, which takes the write lock at BEGIN
// (the DSN's _txlock=immediate): two glassboxes opening a new database at
// once apply each version once, the second finding it done. (Checked
// before the transaction, both found version 1 missing and the second
// failed with "table sessions already exists".)
func apply(rw *sql.DB, m migration) error {
	tx, err := rw.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil || n > 0 {
		return err
	}
	for _, q := range m.stmts {
		if _, err := tx.Exec(q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	if _, err := tx.Exec(`INSERT INTO schema_migrations(version, name, applied) VALUES (?, ?, ?)`,
		m.version, m.name, time.Now().UnixNano()); err != nil {
		return err
	}
	return tx.Commit()
}

// schemaBehind reports whether the file lacks versions this glassbox has.
func schemaBehind(path string) (bool, error) {
	ro, err := openRO(path)
	if err != nil {
		return false, err
	}
	defer ro.Close()
	var applied int
	err = ro.QueryRow(`SELECT count(*) FROM schema_migrations WHERE version <= ?`, len(schemaVersions)).Scan(&applied)
	return applied < len(schemaVersions), err
}
