package main

import (
	"context"
	"fmt"
	"io"

	"github.com/glassbox-dev/glassbox/inspector"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// runInspect opens a recorded database in the terminal inspector. The
// database is read through the read-only pool; a writable handle is opened
// only if the user confirms deleting a session (lazyDeleter), so looking
// never writes and never migrates behind the user's back.
func runInspect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("inspect", "inspect [--db PATH] [--session ID|latest] [--read-only] [--dns HOST:PORT]", stderr)
	dbFlag := fs.String("db", "", dbUsage)
	sessFlag := fs.String("session", "latest", "session ID (see glassbox sessions), or latest")
	readOnly := fs.Bool("read-only", false, "never write to the database: the session picker cannot delete, x cannot send a request again, no marks, comments or deleting a flow")
	exportDir := fs.String("export-dir", "", exportDirUsage)
	dns := fs.String("dns", "", "DNS servers a resend (x) asks when the session no longer records, HOST:PORT[,HOST:PORT...] (default: the nameservers of /etc/resolv.conf)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, err := exportDirOrDefault(*exportDir)
	if err != nil {
		return fmt.Errorf("--export-dir: %w", err)
	}
	sessionID, err := parseSessionID(*sessFlag)
	if err != nil {
		return err
	}
	db, path, err := openReadOnly(*dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	// Say what is wrong before taking the terminal over.
	if _, err := findSession(ctx, db, path, sessionID); err != nil {
		return err
	}
	opts := inspector.Options{Reader: db, SessionID: sessionID, Version: version, ExportDir: dir}
	if !*readOnly {
		opts.Deleter = lazyDeleter{path: path}
		opts.Annotator = lazyDeleter{path: path}
		cfg, err := resendProxyConfig(path, *dns)
		if err != nil {
			return err
		}
		opts.Resend = inspectorResend(cfg)
	}
	return inspector.Run(ctx, opts)
}

// lazyDeleter deletes a session, annotates, or deletes a flow through a
// writable handle opened for that one call: the inspector's reads stay on
// the read-only pool. (Opening for writing migrates an older database to
// the current schema, as any write would.)
type lazyDeleter struct{ path string }

// write runs f on a writable handle opened for it.
func (d lazyDeleter) write(f func(db *sqlite.DB) error) error {
	db, err := sqlite.Open(d.path)
	if err != nil {
		return fmt.Errorf("open %s for writing: %w", d.path, err)
	}
	defer db.Close()
	return f(db)
}

func (d lazyDeleter) DeleteSession(ctx context.Context, id int64) error {
	return d.write(func(db *sqlite.DB) error { return db.DeleteSession(ctx, id) })
}

// Annotate implements store.Annotator.
func (d lazyDeleter) Annotate(ctx context.Context, sessionID int64, a store.Annotation) error {
	return d.write(func(db *sqlite.DB) error { return db.Annotate(ctx, sessionID, a) })
}

// DeleteFlow implements store.Annotator.
func (d lazyDeleter) DeleteFlow(ctx context.Context, sessionID, id int64) error {
	return d.write(func(db *sqlite.DB) error { return db.DeleteFlow(ctx, sessionID, id) })
}
