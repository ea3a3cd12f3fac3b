// Package inspector is glassbox's terminal UI: the page loads of a session
// as they happen (or as they were recorded), each flow's story, timing,
// headers, body and connection explained, and a waterfall per page load.
//
// It is the top of three layers that depend in one direction, as in k9s:
// inspector/model builds the list from store records and knows nothing of
// screens; inspector/render draws model state and records as cells and
// knows nothing of events; this package owns the tcell screen, the event
// loop and the keymap. It reads only through store.Reader, so it works the
// same on a live proxy's database and on a recorded file, and never
// imports the proxy or SQLite.
//
// One goroutine owns the screen. Reads from the store run in background
// goroutines and hand their results back as functions the loop applies;
// a poll that is still running makes the next tick skip, so a slow disk
// never piles up work. Keys are data: one table (keymap.go) drives the
// handlers, the footer, the help screen and the key table in README.md.
package inspector

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
)

// Options configure Run. Reader is required; every other field has a
// documented default.
type Options struct {
	Reader store.Reader
	// SessionID is the session to open; 0 opens the latest.
	SessionID int64
	// Live says the session is being recorded now: the list follows new
	// flows and the header shows where the proxy listens.
	Live bool
	// Listen are the proxy's addresses (live mode), for the header and the
	// hint on how to trust the CA.
	Listen []string
	// Stats, when set, reports the recorder's counters; drops and write
	// failures show in the header.
	Stats func() store.RecorderStats
	// Logs, when set, returns the proxy's recent log lines, oldest first:
	// the last shows under the list and L shows them all.
	Logs func() []string
	// Deleter, when set, enables deleting sessions from the session picker.
	Deleter store.SessionDeleter
	// Annotator, when set, enables marking flows, commenting on flows and
	// page loads, and deleting one flow. Marks and comments are read
	// through Reader when it is a store.AnnotationReader.
	Annotator store.Annotator
	// Resend, when set, sends flow id of a session again through glassbox
	// and records it as a new flow of that session (glassbox resend);
	// withCreds sends its recorded Cookie and Authorization too. It
	// returns the new flow's ID (0 when not recorded yet) and a line that
	// sets the two timings side by side. The x and X keys call it.
	Resend func(ctx context.Context, session, id int64, withCreds bool) (int64, string, error)
	// ExportDir is where exports and curl files are written; "" is the
	// working directory.
	ExportDir string
	// Version goes into exported HAR files as the creator's version.
	Version string
	// Screen is the screen to draw on; nil opens the terminal. A screen
	// passed in must already be initialised (Init called); Run finalises
	// it either way. Tests pass a tcell.SimulationScreen.
	Screen tcell.Screen
	// NoColor forces the attributes-only theme; NO_COLOR in the
	// environment and terminals with fewer than 8 colours get it anyway.
	NoColor bool
	// Now is the clock (time.Now by default).
	Now func() time.Time
	// Poll is how often new flows are read while recording (250ms).
	Poll time.Duration
}

// Filter is a parsed filter expression (see model.ParseFilter for the
// language); `glassbox export --filter` uses the same one.
type Filter = model.Filter

// ParseFilter reads a filter expression of the inspector's language.
func ParseFilter(s string) (Filter, error) { return model.ParseFilter(s) }

// Run shows the inspector until the user quits or ctx ends. The terminal
// is restored on every way out, a panic included (the panic is re-raised
// once the screen is finalised, so its message is readable).
func Run(ctx context.Context, opts Options) (err error) {
	if opts.Reader == nil {
		return errors.New("inspector: no Reader")
	}
	s := opts.Screen
	if s == nil {
		if s, err = tcell.NewScreen(); err == nil {
			err = s.Init()
		}
		if err != nil {
			return fmt.Errorf("no terminal to draw on (%w): run it in a terminal; glassbox sessions and glassbox export work without one", err)
		}
	}
	defer func() {
		r := recover()
		s.Fini()
		if r != nil {
			panic(r)
		}
	}()
	s.EnableMouse()
	s.HideCursor()
	a := newApp(ctx, opts, s)
	return a.loop()
}

// backgroundPanic carries a panic from a loader goroutine to the UI
// goroutine, which re-raises it after restoring the terminal.
type backgroundPanic struct {
	value any
	stack []byte
}

func (p *backgroundPanic) Error() string {
	return fmt.Sprintf("panic in the inspector's background work: %v\n%s", p.value, p.stack)
}

func stackNow() []byte { return debug.Stack() }

func noColorEnv() bool { return os.Getenv("NO_COLOR") != "" }
