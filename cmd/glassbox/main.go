// Command glassbox is an intercepting HTTP/HTTPS proxy that records and
// explains what a browser does when it loads a page.
//
// This is the only package where concrete parts meet: it opens the SQLite
// store, loads the CA, builds the proxy and the viewers, and hands each the
// interface it needs (store.Recorder to the proxy, store.Reader to viewers).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/glassbox-dev/glassbox/store/textsafe"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"proxy", "run the proxy headless: one log line per flow on stderr", runProxy},
		{"inspect", "open a recorded database in the terminal inspector", runInspect},
		{"sessions", "list recorded sessions", runSessions},
		{"export", "write a session as HAR, a Markdown or HTML report, or curl commands", runExport},
		{"import", "read a HAR file (Chrome, Firefox, mitmproxy, glassbox) as a new session", runImport},
		{"compare", "put two page loads (or two sessions) side by side: what the cache and open connections saved", runCompare},
		{"resend", "send a recorded request (or page load) again, recorded as a new flow linked to it", runResend},
		{"ca", "show the certificate authority and how to trust it", runCA},
		{"version", "print the version", func(_ context.Context, _ []string, out, _ io.Writer) error {
			fmt.Fprintln(out, "glassbox", version)
			return nil
		}},
	}
}

// errUsage marks an error already explained by the flag package.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := "live" // `glassbox` alone: the proxy with the live inspector (runLive)
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range append(commands(), command{"live", "", runLive}) {
		if c.name == name {
			err := c.run(ctx, args, stdout, stderr)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			}
			// Errors quote file names and what they held: shown, not obeyed.
			fmt.Fprintf(stderr, "glassbox %s: %s\n", name, textsafe.Text(err.Error()))
			return 1
		}
	}
	fmt.Fprintf(stderr, "glassbox: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `glassbox: see what really happens when your browser loads a page.

Usage:
  glassbox [flags]             run the proxy with the live inspector (same flags as "glassbox proxy")
  glassbox <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "glassbox <command> -h" for a command's flags.

Start: glassbox, set your browser's proxy to 127.0.0.1:8080, and open
http://127.0.0.1:8080/ to download and trust glassbox's certificate authority.
`)
}

// newFlagSet returns a FlagSet that prints its usage to stderr with a
// one-line description first.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: glassbox %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseOperands parses flags that may come before, between or after the
// operands (`compare 1 3 --format html`), and returns the operands.
func parseOperands(fs *flag.FlagSet, args []string) ([]string, error) {
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		if fs.NArg() == 0 {
			return operands, nil
		}
		operands = append(operands, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// parseFlags parses and maps the flag package's errors to ours.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}
