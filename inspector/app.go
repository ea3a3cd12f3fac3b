package inspector

import (
	"context"
	"os"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
)

// focus is the pane keys go to.
type focus int

const (
	focusList focus = iota
	focusDetail
)

// overlay is a screen drawn over the panes.
type overlay int

const (
	overlayNone overlay = iota
	overlayHelp
	overlayLegend
	overlayWaterfall
	overlayLog
	overlaySessions
	overlayCompare
)

// app is the inspector's state. Only the UI goroutine touches it; loaders
// send functions through results.
type app struct {
	ctx    context.Context
	opts   Options
	screen tcell.Screen
	theme  *render.Theme
	now    func() time.Time

	m       *model.Model
	session store.Session
	liveID  int64 // the session being recorded, in live mode
	conns   map[int64]*store.Conn
	// maxConnID is the highest connection ID read: a flow naming a higher
	// one makes the next read of flows read the connections again.
	maxConnID int64
	lookups   map[int64]*store.Lookup
	connsAt   time.Time
	stats     *store.RecorderStats
	exportTo  string

	focus   focus
	tabOf   [2]int // the active detail tab: of flows, of groups
	zoom    bool
	follow  bool
	overlay overlay
	ovTop   int // scroll of the overlay
	ovSel   int // selection in the session picker

	editing   bool // the filter line (or the comment line) has the keys
	editWhat  editKind
	commentOn store.Annotation // what the comment line edits
	// commentWhat names it on the line ("#12", "page load #3").
	commentWhat string
	input       []rune
	filterErr   string
	prevInput   string

	msg     string
	msgRole render.Role
	resent  int64 // a flow the resend key made, selected when it arrives
	// compareA is the page load v marked to compare (0: none); compared
	// is the comparison on screen (compareview.go).
	compareA int64
	compared *comparison
	confirm  *confirmation

	sessions []store.Session
	bindings []Binding
	detail   detailState
	load     loadState
	scan     bodyScan
	layout   layout

	results chan func(*app)
	done    chan struct{} // closed when the loop returns: loaders stop waiting
	syncs   []chan struct{}
	quit    bool
	pressed bool  // a mouse button is held
	fatal   error // ends the loop with this error (the session cannot be opened)
	dirty   bool
	crashed *backgroundPanic
	// findingAt is where ] and [ are among the findings of a page load's
	// diagnosis (diagnosis.go).
	findingAt struct {
		page int64
		i    int
	}
}

// editKind is what the line being typed is.
type editKind int

const (
	editFilter editKind = iota
	editComment
)

// confirmation is a yes/no question on the status line.
type confirmation struct {
	question string
	yes      func(a *app)
}

func newApp(ctx context.Context, opts Options, s tcell.Screen) *app {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Poll <= 0 {
		opts.Poll = 250 * time.Millisecond
	}
	dir := opts.ExportDir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	a := &app{
		ctx: ctx, opts: opts, screen: s, now: opts.Now,
		theme:    render.NewTheme(s.Colors(), opts.NoColor || noColorEnv()),
		m:        model.New(),
		conns:    map[int64]*store.Conn{},
		lookups:  map[int64]*store.Lookup{},
		exportTo: dir,
		results:  make(chan func(*app), 64),
		done:     make(chan struct{}),
		dirty:    true,
	}
	a.detail.reset()
	a.setMsg(render.Dim, a.exportsNote())
	return a
}

// exportsNote says where the export keys write; the first screen and the
// help show it.
func (a *app) exportsNote() string {
	return "exports go to (--export-dir changes it)\n" + a.exportTo
}

// syncEvent asks the loop to signal once it is idle: every event before it
// handled, no read from the store running, the screen drawn. Tests use it
// instead of sleeping.
type syncEvent struct {
	tcell.EventTime
	done chan struct{}
}

func (a *app) loop() error {
	evch := make(chan tcell.Event, 64)
	stop := make(chan struct{})
	go a.screen.ChannelEvents(evch, stop)
	defer close(stop)
	defer close(a.done)
	defer a.stopLayout()
	poll := time.NewTicker(a.opts.Poll)
	defer poll.Stop()
	a.openSession(a.opts.SessionID)
	for {
		select {
		case <-a.ctx.Done():
			return nil
		case ev, ok := <-evch:
			if !ok {
				return nil
			}
			a.handle(ev)
		case f := <-a.results:
			if f != nil {
				f(a)
			}
		case <-poll.C:
			a.tick()
		}
		if a.crashed != nil {
			panic(a.crashed.Error())
		}
		if a.fatal != nil {
			return a.fatal
		}
		if a.quit {
			return nil
		}
		if a.dirty && len(evch) == 0 && len(a.results) == 0 {
			a.draw()
		}
		if len(a.syncs) > 0 && !a.busy() && len(evch) == 0 && len(a.results) == 0 {
			a.draw()
			for _, ch := range a.syncs {
				close(ch)
			}
			a.syncs = nil
		}
	}
}

func (a *app) handle(ev tcell.Event) {
	switch ev := ev.(type) {
	case *tcell.EventKey:
		a.onKey(ev)
	case *tcell.EventMouse:
		a.onMouse(ev)
	case *tcell.EventResize:
		a.screen.Sync()
	case *syncEvent:
		a.syncs = append(a.syncs, ev.done)
	}
	a.dirty = true
}

// readStats takes the recorder's counters, for the header's warning.
func (a *app) readStats() {
	if a.opts.Stats != nil && a.isLive() {
		st := a.opts.Stats()
		if a.stats == nil || *a.stats != st {
			a.stats = &st
			a.dirty = true
		}
	}
}

// tick runs every poll interval: new flows while recording, the
// recorder's counters, and an expired message.
func (a *app) tick() {
	a.readStats()
	if a.isLive() || a.session.Ended.IsZero() || a.resent != 0 {
		a.fetchFlows()
	}
	if a.opts.Logs != nil && a.isLive() {
		a.dirty = true // the last log line may have changed
	}
}

// isLive reports whether the session on screen is the one being recorded.
func (a *app) isLive() bool {
	return a.opts.Live && a.session.ID != 0 && a.session.ID == a.liveID
}

func (a *app) busy() bool {
	return a.load.flows || a.load.detail || a.load.export || a.load.session || a.load.compare || a.scan.running ||
		a.detail.job.key != ""
}

func (a *app) setMsg(role render.Role, msg string) {
	a.msg, a.msgRole = msg, role
	a.dirty = true
}

// goBackground runs f in a goroutine; a panic in it reaches the UI
// goroutine, which restores the terminal before re-raising it.
func (a *app) goBackground(f func() func(*app)) {
	go func() {
		var apply func(*app)
		defer func() {
			if r := recover(); r != nil {
				p := &backgroundPanic{value: r, stack: stackNow()}
				apply = func(a *app) { a.crashed = p }
			}
			select {
			case a.results <- apply:
			case <-a.done:
			}
		}()
		apply = f()
	}()
}
