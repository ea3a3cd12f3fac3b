package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/glassbox-dev/glassbox/inspector/compare"
	"github.com/glassbox-dev/glassbox/inspector/export"
)

// compareArgs are compare's flags and operands, checked.
type compareArgs struct {
	db       string
	session  int64
	sessions bool // the operands are two session numbers, not page loads
	a, b     int64
	format   export.Format
	out      string
}

// runCompare puts two page loads, or two sessions, side by side.
func runCompare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ca, err := compareFlags(args, stderr)
	if err != nil {
		return err
	}
	db, path, err := openReadOnly(ca.db)
	if err != nil {
		return err
	}
	defer db.Close()
	var a, b compare.Side
	if ca.sessions {
		if a, err = compare.LoadSession(ctx, db, ca.a); err == nil {
			b, err = compare.LoadSession(ctx, db, ca.b)
		}
	} else {
		s, serr := findSession(ctx, db, path, ca.session)
		if serr != nil {
			return serr
		}
		if a, err = compare.LoadPage(ctx, db, s.ID, ca.a); err == nil {
			b, err = compare.LoadPage(ctx, db, s.ID, ca.b)
		}
	}
	if err != nil {
		return err
	}
	w := stdout
	if ca.out != "-" {
		f, err := os.OpenFile(ca.out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	return export.WriteComparison(w, compare.Compare(a, b), ca.format)
}

func compareFlags(args []string, stderr io.Writer) (compareArgs, error) {
	var ca compareArgs
	fs := newFlagSet("compare", "compare [--db PATH] [--session ID|latest] PAGE_A PAGE_B\n       glassbox compare [--db PATH] --sessions SESSION_A SESSION_B", stderr)
	fs.StringVar(&ca.db, "db", "", dbUsage)
	sess := fs.String("session", "latest", "the session whose page loads are compared (see glassbox sessions), or latest")
	fs.BoolVar(&ca.sessions, "sessions", false, "compare two whole sessions: the operands are session numbers")
	format := fs.String("format", "md", "md (Markdown, readable in a terminal) or html (one self-contained file)")
	fs.StringVar(&ca.out, "o", "-", "output file, - for standard output")
	operands, err := parseOperands(fs, args)
	if err != nil {
		return ca, err
	}
	ca.format = export.Format(*format)
	if ca.format != export.FormatMarkdown && ca.format != export.FormatHTML {
		return ca, fmt.Errorf("--format %q: want md or html", *format)
	}
	if ca.session, err = parseSessionID(*sess); err != nil {
		return ca, err
	}
	what := "page load"
	if ca.sessions {
		what = "session"
	}
	if len(operands) != 2 {
		return ca, fmt.Errorf("compare takes two %s numbers, A then B (got %d): e.g. glassbox compare 1 3", what, len(operands))
	}
	for i, p := range []*int64{&ca.a, &ca.b} {
		n, err := strconv.ParseInt(operands[i], 10, 64)
		if err != nil || n <= 0 {
			return ca, fmt.Errorf("%q: want a %s number (the inspector and glassbox sessions show them)", operands[i], what)
		}
		*p = n
	}
	return ca, nil
}
