package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/inspector/export"
	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// runExport writes a session through inspector/export, the code the
// inspector's export keys call too, so both write the same file.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opt, dbFlag, out, err := exportFlags(args, stderr)
	if err != nil {
		return err
	}
	opt.Progress = func(n int) { fmt.Fprintf(stderr, "\rexported %d entries", n) }
	db, path, err := openForExport(dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	if opt.Format == formatSQLite {
		return exportSQLite(ctx, db, path, opt, out, stderr)
	}
	var res export.Result
	if out == "-" {
		res, err = export.Write(ctx, db, stdout, opt)
	} else {
		res, err = export.WriteFile(ctx, db, out, opt)
	}
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w (glassbox sessions lists what %s holds)", err, path)
	}
	if err != nil {
		return err
	}
	if out != "-" {
		fmt.Fprintf(stderr, "\rwrote %s (%s) to %s\n", exportScope(opt, res), explain.Plural(res.Flows, "flow"), out)
	}
	return nil
}

// exportScope names what an export covered, for its closing line; the
// count beside it is what the file holds (Result.Flows), not the session's.
func exportScope(opt export.Options, res export.Result) string {
	what := fmt.Sprintf("session %d", res.Session.ID)
	switch {
	case opt.PageID > 0:
		what = fmt.Sprintf("page load %d of %s", opt.PageID, what)
	case len(opt.Flows) == 1:
		what = fmt.Sprintf("flow %d of %s", opt.Flows[0], what)
	case opt.Flows != nil:
		what = fmt.Sprintf("%s of %s", explain.Plural(len(opt.Flows), "chosen flow"), what)
	}
	if !opt.Filter.Empty() {
		what += ", filter " + opt.Filter.String()
	}
	return what
}

// exportFlags reads export's flags: the export's options, the --db flag
// and the output file (- for standard output).
func exportFlags(args []string, stderr io.Writer) (opt export.Options, db, out string, err error) {
	fs := newFlagSet("export", "export [--db PATH] [--session ID|latest] [--page N] [--flow N]... [--filter EXPR] --format har|md|html|curl|sqlite [-o FILE] [--no-redact]", stderr)
	fs.StringVar(&db, "db", "", "SQLite database file (default: $GLASSBOX_HOME/glassbox.db or the user data directory)")
	sessFlag := fs.String("session", "latest", "session ID (see glassbox sessions), or latest")
	format := fs.String("format", "har", "har (HAR 1.2 for other tools), md (a Markdown report), html (a self-contained HTML report), curl (a runnable command per request), sqlite (the session as one SQLite file, every body inside, nothing redacted; needs -o)")
	fs.Int64Var(&opt.PageID, "page", 0, "only this page load (its number in the inspector and in the report)")
	var flows multiFlag
	fs.Var(&flows, "flow", "only this flow, by its number in the inspector (repeatable): --flow 12 --format curl is the inspector's c key")
	filterExpr := fs.String("filter", "", "only the flows matching this filter, in the inspector's language, e.g. 'status:4xx host:cdn.*' or 'init:script' (see README)")
	fs.StringVar(&out, "o", "-", "output file, - for standard output")
	fs.BoolVar(&opt.NoRedact, "no-redact", false, "keep cookies and Authorization values (the file then holds credentials)")
	var params multiFlag
	fs.Var(&params, "redact-param", "query parameter whose values are redacted too, e.g. token (repeatable)")
	if err = parseFlags(fs, args); err != nil {
		return opt, db, out, err
	}
	opt.Format, opt.RedactParams, opt.Version = export.Format(*format), params, version
	if !opt.Format.Valid() && opt.Format != formatSQLite {
		return opt, db, out, fmt.Errorf("--format %q: choose har, md, html, curl or sqlite", *format)
	}
	if opt.Filter, err = model.ParseFilter(*filterExpr); err != nil {
		return opt, db, out, fmt.Errorf("--filter: %w", err)
	}
	for _, s := range flows {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return opt, db, out, fmt.Errorf("--flow %q: want a flow number, as the inspector shows it (#12)", s)
		}
		opt.Flows = append(opt.Flows, id)
	}
	opt.SessionID, err = parseSessionID(*sessFlag)
	return opt, db, out, err
}

// openForExport opens the database read-only: an export never writes or
// migrates. (The same few lines open it for inspect and sessions: one
// shared helper in cmd/glassbox could serve all three.)
func openForExport(dbFlag string) (*sqlite.DB, string, error) {
	path, err := dbPathOrDefault(dbFlag)
	if err != nil {
		return nil, "", err
	}
	db, err := sqlite.OpenReadOnly(path)
	return db, path, err
}

func parseSessionID(s string) (int64, error) {
	if s == "" || s == "latest" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("--session %q: want a session number (see glassbox sessions) or latest", s)
	}
	return id, nil
}

// formatSQLite is export's --format sqlite: the session copied into a
// database of its own, one file (store/sqlite CopySession).
const formatSQLite export.Format = "sqlite"

// exportSQLite copies a whole session into one SQLite file: a copy, not a
// view, so nothing in it is redacted or left out.
func exportSQLite(ctx context.Context, db *sqlite.DB, path string, opt export.Options, out string, stderr io.Writer) error {
	switch {
	case out == "-":
		return errors.New("--format sqlite writes a database file: name it with -o FILE")
	case opt.PageID > 0 || opt.Flows != nil || !opt.Filter.Empty():
		return errors.New("--format sqlite copies a whole session: --page, --flow and --filter do not apply (export HAR or a report for part of one)")
	case len(opt.RedactParams) > 0:
		return errors.New("--format sqlite copies the session as recorded, credentials included: --redact-param does not apply")
	}
	id, flows, err := db.CopySession(ctx, opt.SessionID, out)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w (glassbox sessions lists what %s holds)", err, path)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote session %d (%s, every body inside, not redacted) to %s: one file, open it with glassbox inspect --db %s\n",
		id, explain.Plural(int(flows), "flow"), out, out)
	return nil
}
