package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// toy is an entity of the future: a table whose columns and index came in
// later versions, and a table added later still.
type toy struct {
	sessionID, id int64
	a, b, c       string
}

func toyTables() []*table {
	cols := []column[toy]{
		{"session_id", "INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE", 1, "the session", sessionKey(func(x *toy) any { return &x.sessionID })},
		{"id", "INTEGER NOT NULL", 1, "its number", of(func(x *toy) any { return &x.id })},
		{"a", "TEXT NOT NULL DEFAULT ''", 1, "first", of(func(x *toy) any { return &x.a })},
		{"b", "TEXT NOT NULL DEFAULT 'b'", 3, "added in 3", of(func(x *toy) any { return &x.b })},
		{"c", "TEXT", 4, "added in 4", of(func(x *toy) any { return &x.c })},
	}
	toys := newEntity(table{name: "toys", doc: "toy", since: 1, key: "session_id, id",
		indexes: []index{{name: "toys_by_b", cols: "b", since: 3}}}, cols)
	later := newEntity(table{name: "later", doc: "a table of version 2", since: 2}, []column[toy]{
		{"id", "INTEGER PRIMARY KEY", 2, "its number", of(func(x *toy) any { return &x.id })},
		{"c", "TEXT", 4, "added in 4", of(func(x *toy) any { return &x.c })},
	})
	return []*table{&sessionTable.table, &toys.table, &later.table}
}

// A column or index added in a later version reaches databases made at
// every earlier version, and leaves them as a new database would be.
func TestMigrationsAddLaterColumns(t *testing.T) {
	versions, err := migrations(toyTables())
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 4 {
		t.Fatalf("%d versions, want 4", len(versions))
	}
	if got, want := versions[3].name, "add toys.c, later.c"; got != want {
		t.Errorf("version 4 is named %q, want %q", got, want)
	}
	dir := t.TempDir()
	build := func(name string, steps ...[]migration) string {
		path := filepath.Join(dir, name)
		raw, err := sql.Open("sqlite3", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		for _, ms := range steps {
			if err := migrate(raw, ms); err != nil {
				t.Fatal(err)
			}
		}
		return path
	}
	want := schemaOf(t, build("new.db", versions))
	for v := 1; v < len(versions); v++ {
		got := schemaOf(t, build(fmt.Sprintf("v%d.db", v), versions[:v], versions))
		if got != want {
			t.Errorf("migrated from version %d:\n%s", v, lineDiff(got, want, "migrated", "new"))
		}
	}
	for _, s := range []string{`"toys_by_b"`, `b TEXT NOT NULL DEFAULT 'b'`, `c TEXT`} {
		if !strings.Contains(want, s) {
			t.Errorf("the new schema lacks %s:\n%s", s, want)
		}
	}
}

func TestMigrationVersionsFollowOneAnother(t *testing.T) {
	gap := newEntity(table{name: "gap", doc: "gap", since: 1}, []column[toy]{
		{"id", "INTEGER PRIMARY KEY", 1, "its number", of(func(x *toy) any { return &x.id })},
		{"c", "TEXT", 3, "added in 3, after no version 2", of(func(x *toy) any { return &x.c })},
	})
	if _, err := migrations([]*table{&gap.table}); err == nil {
		t.Error("a schema without a version 2 was accepted")
	}
}

// newEntity (or of, for a field it cannot store) refuses declarations
// that cannot be right.
func TestNewEntityRefuses(t *testing.T) {
	id := func(decl string) column[toy] {
		return column[toy]{"id", decl, 1, "its number", of(func(x *toy) any { return &x.id })}
	}
	text := func(since int, doc string) column[toy] {
		return column[toy]{"c", "TEXT", since, doc, of(func(x *toy) any { return &x.c })}
	}
	for name, cols := range map[string]func() []column[toy]{
		"later-column-first":       func() []column[toy] { return []column[toy]{text(2, "added in 2"), id("INTEGER")} },
		"column-before-table":      func() []column[toy] { return []column[toy]{text(0, "too early")} },
		"no-doc":                   func() []column[toy] { return []column[toy]{text(1, "")} },
		"neither-read-nor-written": func() []column[toy] { return []column[toy]{{"a", "TEXT", 1, "nothing", field[toy]{}}} },
		"integer-declared-text":    func() []column[toy] { return []column[toy]{id("TEXT NOT NULL")} },
		"value-not-address": func() []column[toy] {
			return []column[toy]{{"id", "INTEGER", 1, "its number", of(func(x *toy) any { return x.id })}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("accepted")
				}
			}()
			newEntity(table{name: "t", doc: "t", since: 1}, cols())
		})
	}
	newEntity(table{name: "t", doc: "t", since: 1}, []column[toy]{id("INTEGER"), text(1, "text")}) // and accepts these
}
