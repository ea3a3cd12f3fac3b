package sqlite

import (
	"fmt"
	"strings"
)

// The schema is declared by entity: each table's file (sessions.go,
// flows.go, bodies.go, conns.go, lookups.go, pages.go, annotations.go) holds its column
// table, and everything else is derived from those once, when the package
// is initialised: the INSERT statements the writer prepares, the SELECT
// lists and Scan destinations the reader uses, the migrations (migrate.go)
// and the table sections of README.md (readme_test.go). A new field is one
// line in its table, with the next schema version, plus the model field.

// column is one column of a table of entities T: its place in the schema
// and how a T goes into it and comes back out.
type column[T any] struct {
	name string
	decl string // SQL type and constraints, as in CREATE TABLE
	// since is the schema version that added the column: the table's own
	// version for the columns it was created with, a later one for a
	// column added by ALTER TABLE ... ADD COLUMN (which appends, so such
	// columns come last, in version order).
	since int
	doc   string // what it holds, for README.md (Markdown)
	field[T]
}

// index is a secondary index of a table.
type index struct {
	name  string
	cols  string // the indexed columns, as in CREATE INDEX
	since int
}

// table is the part of a table's declaration that does not depend on the
// model type: what migrations and README.md need.
type table struct {
	name  string
	row   string // what one row is, for README.md's list of tables
	doc   string // a paragraph on the table, for its section of README.md
	since int    // the schema version that created the table
	// key is the table's PRIMARY KEY constraint; empty when a column's
	// decl declares the key itself.
	key     string
	indexes []index
	// backfills fill a column added to rows already there, in the
	// version that adds it, after the column (ALTER TABLE gives them
	// its DEFAULT).
	backfills []backfill
	cols      []columnSchema // filled in from the entity's columns
}

// backfill is a statement a migration runs over a table's existing rows.
type backfill struct {
	since int
	stmt  string
}

// columnSchema is a column as the schema sees it.
type columnSchema struct {
	name, decl, doc string
	since           int
}

// entity is a table of Ts with the statements derived from its columns.
type entity[T any] struct {
	table
	columns []column[T]
	bound   []column[T] // the columns an INSERT binds, in order
	read    []column[T] // the columns a SELECT reads, in order

	insert  string // INSERT INTO name (bound...) VALUES (?, ...)
	replace string // the same with OR REPLACE
	// selectList is the read columns, comma separated, for SELECT.
	selectList string
}

// newEntity derives an entity's statements from its columns. It panics on
// a declaration that cannot be right (a column added before the table
// existed, a later column listed before an earlier one, a column that is
// neither written nor read): a programming error every test would meet.
func newEntity[T any](t table, cols []column[T]) *entity[T] {
	e := &entity[T]{table: t, columns: cols}
	var names, marks []string
	for i, c := range cols {
		if err := e.check(i); err != nil {
			panic(fmt.Sprintf("sqlite schema: %s.%s: %v", t.name, c.name, err))
		}
		e.cols = append(e.cols, columnSchema{name: c.name, decl: c.decl, doc: c.doc + c.docTail, since: c.since})
		if c.get != nil || c.session {
			e.bound = append(e.bound, c)
			names = append(names, c.name)
			marks = append(marks, "?")
		}
		if c.set != nil {
			e.read = append(e.read, c)
		}
	}
	e.insert = fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", t.name, strings.Join(names, ", "), strings.Join(marks, ","))
	e.replace = strings.Replace(e.insert, "INSERT INTO", "INSERT OR REPLACE INTO", 1)
	e.selectList = e.selectWith(nil)
	return e
}

func (e *entity[T]) check(i int) error {
	c := e.columns[i]
	switch {
	case c.name == "" || c.decl == "" || c.doc == "":
		return fmt.Errorf("name, decl and doc are required")
	case c.since < e.since:
		return fmt.Errorf("added in version %d, before its table (version %d)", c.since, e.since)
	case i > 0 && c.since < e.columns[i-1].since:
		return fmt.Errorf("added in version %d but listed after a column of version %d: ADD COLUMN appends", c.since, e.columns[i-1].since)
	case c.get == nil && !c.session && c.set == nil:
		return fmt.Errorf("neither written nor read")
	case !strings.HasPrefix(c.decl, c.stored):
		return fmt.Errorf("declared %q, but its field is stored as %s", c.decl, c.stored)
	}
	return nil
}

// selectWith is the SELECT list with some columns replaced by other
// expressions (flows' summaries read no header blocks). It panics on a
// name that is not a read column.
func (e *entity[T]) selectWith(instead map[string]string) string {
	list := make([]string, len(e.read))
	used := 0
	for i, c := range e.read {
		list[i] = c.name
		if x, ok := instead[c.name]; ok {
			list[i] = x
			used++
		}
	}
	if used != len(instead) {
		panic(fmt.Sprintf("sqlite schema: %s: a replaced column is not read: %v", e.name, instead))
	}
	return strings.Join(list, ", ")
}

// args appends the values INSERT binds for v, recorded in session.
func (e *entity[T]) args(dst []any, session int64, v *T) []any {
	for i := range e.bound {
		if c := &e.bound[i]; c.session {
			dst = append(dst, session)
		} else {
			dst = append(dst, c.get(v))
		}
	}
	return dst
}

// dests returns the Scan destinations, in selectList order, that fill v.
func (e *entity[T]) dests(v *T) []any {
	d := make([]any, len(e.read))
	for i := range e.read {
		d[i] = e.read[i].set(v)
	}
	return d
}

// tables is the schema, in the order tables are created.
var tables = []*table{
	&sessionTable.table,
	&flowTable.table,
	&bodyTable.table,
	&connTable.table,
	&lookupTable.table,
	&pageTable.table,
	&annotationTable.table,
	&messageTable.table,
}
