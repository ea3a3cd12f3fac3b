package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/glassbox-dev/glassbox/inspector"
	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/inspector/report"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/har"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "export [--db PATH] [--session ID|latest] [--page N] --format har|md|html [-o FILE] [--no-redact]", stderr)
	dbFlag := fs.String("db", "", "SQLite database file (default: $GLASSBOX_HOME/glassbox.db or the user data directory)")
	sessFlag := fs.String("session", "latest", "session ID (see glassbox sessions), or latest")
	format := fs.String("format", "har", "har (HAR 1.2 for other tools), md (a Markdown report), html (a self-contained HTML report), curl (a runnable command per request)")
	pageID := fs.Int64("page", 0, "only this page load (its number in the inspector and in the report)")
	filterExpr := fs.String("filter", "", "only the flows matching this filter, in the inspector's language, e.g. 'status:4xx host:cdn.*' (see README)")
	out := fs.String("o", "-", "output file, - for standard output")
	noRedact := fs.Bool("no-redact", false, "keep cookies and Authorization values (the file then holds credentials)")
	var params multiFlag
	fs.Var(&params, "redact-param", "query parameter whose values are redacted too, e.g. token (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch *format {
	case "har", "md", "html", "curl":
	default:
		return fmt.Errorf("--format %q: choose har, md, html or curl", *format)
	}
	var keep func(*store.Flow) bool
	if *filterExpr != "" {
		flt, err := model.ParseFilter(*filterExpr)
		if err != nil {
			return fmt.Errorf("--filter: %w", err)
		}
		keep = flt.Match
	}
	sessionID, err := parseSessionID(*sessFlag)
	if err != nil {
		return err
	}
	path, err := dbPathOrDefault(*dbFlag)
	if err != nil {
		return err
	}
	db, err := sqlite.OpenReadOnly(path)
	if err != nil {
		return err
	}
	defer db.Close()
	sess, err := db.Session(ctx, sessionID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w (glassbox sessions lists what %s holds)", err, path)
		}
		return err
	}

	var w io.Writer = stdout
	var tmp *os.File
	if *out != "-" {
		// Write next to the target and rename, so a failed export never
		// leaves half a file under the name asked for.
		tmp, err = os.CreateTemp(filepath.Dir(*out), ".glassbox-export-*")
		if err != nil {
			return fmt.Errorf("cannot write %s: %w", *out, err)
		}
		defer os.Remove(tmp.Name())
		w = tmp
	}
	opt := har.Options{NoRedact: *noRedact, RedactParams: params, Version: version, PageID: *pageID, Filter: keep,
		Progress: func(n int) { fmt.Fprintf(stderr, "\rexported %d entries", n) },
		Notes: func(c har.NoteContext) []string {
			return explain.Notes(explain.NoteInput{Flow: c.Flow, Conn: c.Conn, Lookup: c.Lookup, Prev: c.Prev, Next: c.Next})
		}}
	ropt := report.Options{PageID: *pageID, Version: version, Filter: keep}
	switch *format {
	case "har":
		err = har.Export(ctx, db, sess.ID, w, opt)
	case "md":
		err = report.Markdown(ctx, db, sess.ID, w, ropt)
	case "html":
		err = report.HTML(ctx, db, sess.ID, w, ropt)
	case "curl":
		err = exportCurl(ctx, db, sess.ID, *pageID, keep, !*noRedact, w)
	}
	if err != nil {
		return err
	}
	if tmp != nil {
		if err := tmp.Close(); err != nil {
			return fmt.Errorf("cannot write %s: %w", *out, err)
		}
		if err := os.Chmod(tmp.Name(), 0o600); err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), *out); err != nil {
			return fmt.Errorf("cannot write %s: %w", *out, err)
		}
		fmt.Fprintf(stderr, "\rwrote session %d (%d flows) to %s\n", sess.ID, sess.Flows, *out)
	}
	return nil
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

// exportCurl writes one runnable curl command per request (tunnels have
// none), redacted like the other exports unless --no-redact.
func exportCurl(ctx context.Context, db *sqlite.DB, sessionID, pageID int64, keep func(*store.Flow) bool, redact bool, w io.Writer) error {
	fmt.Fprintf(w, "#!/bin/sh\n# glassbox session %d as curl commands", sessionID)
	if redact {
		fmt.Fprint(w, " (credentials redacted; --no-redact keeps them)")
	}
	fmt.Fprintln(w)
	return store.EachFlow(ctx, db, store.FlowQuery{SessionID: sessionID, PageID: pageID, WithBodies: true}, 200, func(f *store.Flow) error {
		if f.Kind == store.KindTunnel || (keep != nil && !keep(f)) {
			return nil
		}
		_, err := fmt.Fprintf(w, "\n# #%d %s %s\n%s\n", f.ID, f.Method, f.URL, inspector.Curl(f, redact))
		return err
	})
}
