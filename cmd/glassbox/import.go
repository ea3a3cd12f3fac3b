package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/har"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", "import FILE.har [--db PATH]", stderr)
	dbFlag := fs.String("db", "", dbUsage)
	// The file comes first (glassbox import x.har --db y): parse flags after it too.
	var file string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 || file == "" {
		fs.Usage()
		return errUsage
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", file, err)
	}
	defer f.Close()
	path, err := dbPathOrDefault(*dbFlag)
	if err != nil {
		return err
	}
	db, err := sqlite.Open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	sess, err := db.StartSession(ctx, store.Session{Source: "import:" + filepath.Base(file)})
	if err != nil {
		return err
	}
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	st, err := har.Import(f, w)
	if cerr := w.Close(context.Background()); err == nil {
		err = cerr
	}
	if err != nil {
		// Nothing half-imported stays behind.
		db.DeleteSession(context.Background(), sess.ID)
		return fmt.Errorf("%s: %w", file, err)
	}
	db.EndSession(ctx, sess.ID, sess.Started)
	for _, w := range st.Warn {
		fmt.Fprintln(stderr, "warning:", w)
	}
	how := "pages as in the file"
	if st.Grouped {
		how = "grouped into page loads by glassbox (the file had no pages)"
	}
	fmt.Fprintf(stdout, "imported %s as session %d: %d entries, %d pages (%s), %d connections, %d skipped\n",
		file, sess.ID, st.Entries, st.Pages, how, st.Conns, st.Skipped)
	return nil
}
