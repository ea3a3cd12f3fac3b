package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/har"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "export [--db PATH] [--session ID|latest] --format har [-o FILE] [--no-redact]", stderr)
	dbFlag := fs.String("db", "", "SQLite database file (default: $GLASSBOX_HOME/glassbox.db or the user data directory)")
	sessFlag := fs.String("session", "latest", "session ID (see glassbox sessions), or latest")
	format := fs.String("format", "har", "output format: har")
	out := fs.String("o", "-", "output file, - for standard output")
	noRedact := fs.Bool("no-redact", false, "keep cookies and Authorization values (the file then holds credentials)")
	var params multiFlag
	fs.Var(&params, "redact-param", "query parameter whose values are redacted too, e.g. token (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "har" {
		return fmt.Errorf("--format %q: this version exports har", *format)
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
	opt := har.Options{NoRedact: *noRedact, RedactParams: params, Version: version,
		Progress: func(n int) { fmt.Fprintf(stderr, "\rexported %d entries", n) }}
	if err := har.Export(ctx, db, sess.ID, w, opt); err != nil {
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
