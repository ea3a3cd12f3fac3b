package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/glassbox-dev/glassbox/store/textsafe"
)

func runSessions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sessions", "sessions [--db PATH]", stderr)
	dbFlag := fs.String("db", "", dbUsage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, path, err := openReadOnly(*dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.Sessions(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintf(stdout, "no sessions in %s yet: run glassbox and browse through it\n", path)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTARTED\tDURATION\tFLOWS\tPAGES\tSOURCE")
	for _, s := range list {
		// Source names an imported file, which may be named anything.
		src := textsafe.Line(s.Source)
		if s.Network != "" {
			src += " (shaped: " + textsafe.Line(s.Network) + ")"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%s\n", s.ID, s.Started.Local().Format("2006-01-02 15:04:05"), s.Length(), s.Flows, s.Pages, src)
	}
	return tw.Flush()
}
