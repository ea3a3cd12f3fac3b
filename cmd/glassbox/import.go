package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/har"
	"github.com/glassbox-dev/glassbox/store/sqlite"
	"github.com/glassbox-dev/glassbox/store/textsafe"
)

// importQueue is how many values may wait for the writer during an import.
// Blocking writers are bounded by count only (the byte bound is the
// proxy's, which drops instead), so a short queue keeps memory flat (at
// most this many bodies of --max-body) and a cancelled import quick to
// settle (the writer has at most this much left to store).
const importQueue = 256

// cleanupTimeout bounds removing what a failed or cancelled import stored:
// past it (a large import, a full disk) the session stays, marked
// incomplete, rather than keep the user waiting.
const cleanupTimeout = 750 * time.Millisecond

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	file, dbFlag, maxBody, err := importFlags(args, stderr)
	if err != nil {
		return err
	}
	name := textsafe.Line(file) // a file may be named anything
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", name, err)
	}
	defer f.Close()
	path, err := dbPathOrDefault(dbFlag)
	if err != nil {
		return err
	}
	db, err := sqlite.Open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	sess, err := db.StartSession(ctx, store.Session{Source: store.SourceImport + filepath.Base(file)})
	if err != nil {
		return err
	}
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true, Queue: importQueue})
	// A read that waits (a pipe, a slow disk) ends when the import is
	// cancelled: Import sees ctx between entries, this within one.
	unblock := context.AfterFunc(ctx, func() { f.Close() })
	progressed := false
	st, err := har.Import(ctx, f, w, har.ImportOptions{MaxBody: maxBody, Progress: func(n int) {
		fmt.Fprintf(stderr, "\rread %d entries", n)
		progressed = true
	}})
	unblock()
	if progressed {
		fmt.Fprintln(stderr)
	}
	if ctx.Err() != nil && err != nil {
		err = fmt.Errorf("cancelled after %d entries", st.Entries)
	}
	if cerr := w.Close(context.Background()); err == nil {
		err = cerr
	}
	for _, w := range st.Warn {
		fmt.Fprintln(stderr, "warning:", textsafe.Line(w))
	}
	if err == nil {
		err = finishImport(db, sess, st)
	}
	if err != nil {
		return abandonImport(db, sess.ID, name, st, err)
	}
	how := "pages as in the file"
	if st.Grouped {
		how = "grouped into page loads by glassbox (the file had no pages)"
	}
	fmt.Fprintf(stdout, "imported %s as session %d: %d entries, %d pages (%s), %d connections, %d skipped\n",
		name, sess.ID, st.Entries, st.Pages, how, st.Conns, st.Skipped)
	return nil
}

// finishImport records what the file said of the session (how its
// traffic was shaped) and ends it.
func finishImport(db *sqlite.DB, sess store.Session, st har.ImportStats) error {
	if st.Network != "" {
		if err := db.SetSessionNetwork(context.Background(), sess.ID, textsafe.Line(st.Network)); err != nil {
			return err
		}
	}
	return db.EndSession(context.Background(), sess.ID, sess.Started)
}

// importFlags reads import's arguments: the file (first, or after the
// flags), --db and --max-body (as the proxy's: 0 stores no bodies).
func importFlags(args []string, stderr io.Writer) (file, db string, maxBody int64, err error) {
	fs := newFlagSet("import", "import FILE.har [--db PATH] [--max-body SIZE]", stderr)
	fs.StringVar(&db, "db", "", dbUsage)
	mb := sizeFlag(proxy.DefaultMaxBody)
	fs.Var(&mb, "max-body", "most bytes of each body to store, e.g. 512KiB, 4MiB, 0 for none (as when recording)")
	// The file comes first (glassbox import x.har --db y): parse flags after it too.
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", "", 0, errUsage
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 || file == "" {
		fs.Usage()
		return "", "", 0, errUsage
	}
	if maxBody = int64(mb); maxBody == 0 {
		maxBody = -1 // --max-body 0: store no bodies
	}
	return file, db, maxBody, nil
}

// abandonImport removes the session of an import that did not finish, or,
// when that cannot be done at once, says that it stays marked incomplete.
func abandonImport(db *sqlite.DB, id int64, name string, st har.ImportStats, cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if err := db.DeleteSession(ctx, id); err == nil {
		return fmt.Errorf("%s: %w (nothing of it was kept)", name, cause)
	}
	return fmt.Errorf("%s: %w; session %d keeps the %d entries read until then, marked incomplete in glassbox sessions "+
		"(delete it from the inspector's session list: S, then d)", name, cause, id, st.Entries)
}
