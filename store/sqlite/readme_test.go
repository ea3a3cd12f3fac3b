package sqlite

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite README.md's table sections from the column tables")

// schemaDoc is the part of README.md generated from the tables: an
// overview, then every column of every table.
func schemaDoc(tables []*table) string {
	var b strings.Builder
	b.WriteString("## Tables\n\n| table | one row per | key |\n|---|---|---|\n")
	for _, t := range tables {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", t.name, t.row, keyOf(t))
	}
	b.WriteString("| `schema_migrations` | schema version applied | `version` (see below) |\n")
	for _, t := range tables {
		fmt.Fprintf(&b, "\n### %s\n\n%s\n\n| column | type | meaning |\n|---|---|---|\n", t.name, strings.TrimSpace(t.doc))
		for _, c := range t.cols {
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.name, c.decl, strings.ReplaceAll(c.doc, "|", `\|`))
		}
		for _, ix := range t.indexes {
			fmt.Fprintf(&b, "\nIndex `%s` on (%s).\n", ix.name, ix.cols)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// keyOf names the primary key's columns, as `a`, `b`.
func keyOf(t *table) string {
	key := t.key
	if key == "" {
		for _, c := range t.cols {
			if strings.Contains(c.decl, "PRIMARY KEY") {
				key = c.name
			}
		}
	}
	return "`" + strings.ReplaceAll(key, ", ", "`, `") + "`"
}

// README.md's table sections are what the column tables say
// (go test ./store/sqlite -run TestReadme -update rewrites them).
func TestReadme(t *testing.T) {
	const path = "README.md"
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The generated text goes after the line that opens the block.
	head, rest, ok := strings.Cut(string(old), "<!-- tables:begin")
	opening, rest, _ := strings.Cut(rest, "\n")
	generated, tail, ok2 := strings.Cut(rest, "<!-- tables:end -->")
	if !ok || !ok2 {
		t.Fatalf("%s has no <!-- tables:begin ... <!-- tables:end --> block", path)
	}
	want := schemaDoc(tables)
	switch {
	case generated == want:
	case *update:
		text := head + "<!-- tables:begin" + opening + "\n" + want + "<!-- tables:end -->" + tail
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	default:
		t.Errorf("README.md's tables differ from the column tables; run go test ./store/sqlite -run TestReadme -update\n%s",
			lineDiff(generated, want, "README", "tables"))
	}
}
