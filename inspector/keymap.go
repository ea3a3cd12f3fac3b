package inspector

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/render"
)

// Context is where keys go: the pane in focus or the screen on top.
type Context string

// Contexts, in the order the help screen lists them.
const (
	CtxList     Context = "list"
	CtxDetail   Context = "detail"
	CtxFilter   Context = "filter line"
	CtxComment  Context = "comment line"
	CtxScreen   Context = "screens" // help, status codes, log, waterfall
	CtxSessions Context = "session picker"
	CtxConfirm  Context = "question"
)

var browse = []Context{CtxList, CtxDetail}
var scrolling = []Context{CtxList, CtxDetail, CtxScreen, CtxSessions}
var everywhere = []Context{CtxList, CtxDetail, CtxFilter, CtxComment, CtxScreen, CtxSessions, CtxConfirm}

// lines are the contexts where a line is being typed.
var lines = []Context{CtxFilter, CtxComment}

// Key is one key: a special key (Code) or a character (Rune).
type Key struct {
	Code  tcell.Key
	Rune  rune
	Label string
}

func r(c rune) Key                   { return Key{Code: tcell.KeyRune, Rune: c, Label: string(c)} }
func k(code tcell.Key, l string) Key { return Key{Code: code, Label: l} }

func (k Key) matches(ev *tcell.EventKey) bool {
	if k.Code == tcell.KeyRune {
		return ev.Key() == tcell.KeyRune && ev.Rune() == k.Rune && ev.Modifiers()&(tcell.ModCtrl|tcell.ModAlt) == 0
	}
	return ev.Key() == k.Code
}

// Binding is one entry of the keymap: the keys, a short name for the
// footer, a sentence for the help screen and README, what it does, and
// where it works. Footer marks the bindings worth the footer's room.
type Binding struct {
	Keys     []Key
	Name     string
	Help     string
	Handler  func(a *app, ev *tcell.EventKey)
	Contexts []Context
	Footer   bool
}

// keymap is the one table of keys. Order matters: the first binding that
// matches a key in the current context wins, and the footer, the help
// screen and README list them in this order.
func keymap() []Binding {
	return []Binding{
		{Keys: []Key{r('j'), k(tcell.KeyDown, "↓")}, Name: "down", Help: "next line; in the detail pane and on screens, scroll down", Handler: (*app).down, Contexts: scrolling, Footer: true},
		{Keys: []Key{r('k'), k(tcell.KeyUp, "↑")}, Name: "up", Help: "previous line; in the detail pane and on screens, scroll up", Handler: (*app).up, Contexts: scrolling},
		{Keys: []Key{r('g'), k(tcell.KeyHome, "Home")}, Name: "top", Help: "first line", Handler: (*app).home, Contexts: scrolling},
		{Keys: []Key{r('G'), k(tcell.KeyEnd, "End")}, Name: "bottom", Help: "last line", Handler: (*app).end, Contexts: scrolling},
		{Keys: []Key{k(tcell.KeyCtrlD, "ctrl-d"), k(tcell.KeyPgDn, "PgDn")}, Name: "page down", Help: "half a screen down", Handler: (*app).pageDown, Contexts: scrolling},
		{Keys: []Key{k(tcell.KeyCtrlU, "ctrl-u"), k(tcell.KeyPgUp, "PgUp")}, Name: "page up", Help: "half a screen up", Handler: (*app).pageUp, Contexts: scrolling},
		{Keys: []Key{k(tcell.KeyEnter, "Enter")}, Name: "details", Help: "move into the details of the selected flow or page load", Handler: (*app).open, Contexts: []Context{CtxList}, Footer: true},
		{Keys: []Key{{Code: tcell.KeyRune, Rune: ' ', Label: "Space"}}, Name: "fold", Help: "fold or unfold the page load (or host) on this line, or the one around it", Handler: (*app).fold, Contexts: []Context{CtxList}, Footer: true},
		{Keys: []Key{r('h'), k(tcell.KeyLeft, "←")}, Name: "fold/prev tab", Help: "in the list: fold the group, or go up to it; in the detail pane: previous tab", Handler: (*app).left, Contexts: browse},
		{Keys: []Key{r('l'), k(tcell.KeyRight, "→")}, Name: "unfold/next tab", Help: "in the list: unfold the group; in the detail pane: next tab", Handler: (*app).right, Contexts: browse},
		{Keys: []Key{k(tcell.KeyTab, "Tab")}, Name: "next tab", Help: "next detail tab (Story, Timing, Request, Response, Body, Connection, Messages; for a page: Story, Waterfall)", Handler: (*app).nextTab, Contexts: browse, Footer: true},
		{Keys: []Key{k(tcell.KeyBacktab, "shift-Tab")}, Name: "prev tab", Help: "previous detail tab", Handler: (*app).prevTab, Contexts: browse},
		{Keys: []Key{r('1'), r('2'), r('3'), r('4'), r('5'), r('6'), r('7')}, Name: "tab N", Help: "go to detail tab N", Handler: (*app).tabN, Contexts: browse},
		{Keys: []Key{r(']')}, Name: "next page/finding", Help: "on a flow's Body tab: the next page of a long body (glassbox decodes and shows 1 MiB at a time, so a huge or compressed-bomb body never freezes the screen); elsewhere: the next flow a finding of the page load's diagnosis is about (its Story lists them), finding after finding", Handler: (*app).bracketNext, Contexts: browse},
		{Keys: []Key{r('[')}, Name: "prev page/finding", Help: "on a flow's Body tab: the page before; elsewhere: the previous flow of the diagnosis' findings", Handler: (*app).bracketPrev, Contexts: browse},
		{Keys: []Key{k(tcell.KeyEsc, "Esc")}, Name: "back", Help: "back to the list: from the details, zoomed or not, in one press; in the list, clear the filter; close a screen", Handler: (*app).back, Contexts: []Context{CtxList, CtxDetail, CtxScreen, CtxSessions}, Footer: true},
		{Keys: []Key{r('/')}, Name: "filter", Help: "filter the flows (the language is below); Enter keeps it, Esc restores the last one", Handler: (*app).startFilter, Contexts: browse, Footer: true},
		{Keys: []Key{r('w')}, Name: "waterfall", Help: "the waterfall of the selected page load, full screen", Handler: (*app).waterfall, Contexts: browse, Footer: true},
		{Keys: []Key{r('m')}, Name: "mode", Help: "list mode: page loads, flat and chronological, host/path tree", Handler: (*app).cycleMode, Contexts: browse, Footer: true},
		{Keys: []Key{r('o')}, Name: "sort", Help: "sort by time, duration, size, status", Handler: (*app).cycleSort, Contexts: browse, Footer: true},
		{Keys: []Key{r('O')}, Name: "reverse", Help: "reverse the sort", Handler: (*app).reverseSort, Contexts: browse},
		{Keys: []Key{r('i')}, Name: "initiator", Help: "go to the flow that initiated the selected one: the HTML or stylesheet that references it, the redirect it followed", Handler: (*app).jumpToInitiator, Contexts: browse},
		{Keys: []Key{r('H')}, Name: "fold hops", Help: "fold each redirect chain into its final request (the line says how many hops it hides), and back", Handler: (*app).toggleChains, Contexts: browse},
		{Keys: []Key{r('z')}, Name: "zoom", Help: "give the whole screen to the pane in focus, and back", Handler: (*app).toggleZoom, Contexts: browse},
		{Keys: []Key{r('f')}, Name: "follow", Help: "follow: keep the newest flow selected as flows arrive", Handler: (*app).toggleFollow, Contexts: browse},
		{Keys: []Key{r('e')}, Name: "export page", Help: "export the selected page load (or group) as HAR, with the filter in force", Handler: (*app).exportGroup, Contexts: browse, Footer: true},
		{Keys: []Key{r('E')}, Name: "export session", Help: "export the whole session as HAR, with the filter in force", Handler: (*app).exportSession, Contexts: browse},
		{Keys: []Key{r('r')}, Name: "report", Help: "write the selected page load (or group) as an HTML report: its story and waterfall, one file to hand out", Handler: (*app).reportGroup, Contexts: browse},
		{Keys: []Key{r('R')}, Name: "report session", Help: "write the whole session as an HTML report", Handler: (*app).reportSession, Contexts: browse},
		{Keys: []Key{r('c')}, Name: "curl", Help: "copy the selected flow as a curl command (credentials redacted): written to a file, and to the clipboard where the terminal allows (OSC 52)", Handler: (*app).copyCurl, Contexts: browse, Footer: true},
		{Keys: []Key{r('C')}, Name: "curl+secrets", Help: "the same with cookies and Authorization kept", Handler: (*app).copyCurlSecrets, Contexts: browse},
		{Keys: []Key{r('M')}, Name: "mark", Help: "mark or unmark the selected flow (the filter marked lists them; exports keep the mark in the comment)", Handler: (*app).toggleMark, Contexts: browse, Footer: true},
		{Keys: []Key{r('a')}, Name: "comment", Help: "write a comment on the selected flow or page load: stored, shown in its Story, exported (HAR's comment, the reports)", Handler: (*app).startComment, Contexts: browse},
		{Keys: []Key{r('d'), k(tcell.KeyDelete, "Delete")}, Name: "delete flow", Help: "delete the selected flow from the database (asks first)", Handler: (*app).deleteFlow, Contexts: browse},
		{Keys: []Key{r('x')}, Name: "resend", Help: "send the selected request again through glassbox, without its Cookie and Authorization: a new flow of this session, linked to this one, its timings beside these", Handler: (*app).resendFlow, Contexts: browse},
		{Keys: []Key{r('X')}, Name: "resend+secrets", Help: "the same with its recorded Cookie and Authorization (asks first: the request acts as you again)", Handler: (*app).resendWithCredentials, Contexts: browse},
		{Keys: []Key{r('v')}, Name: "compare", Help: "compare page loads: v on one marks it A, v on another shows the two side by side (requests matched, 304s and the bytes they saved, phases, lookups and connections saved); v on A again forgets it", Handler: (*app).comparePages, Contexts: browse},
		{Keys: []Key{r('S')}, Name: "sessions", Help: "pick another recorded session (d there deletes one)", Handler: (*app).openSessions, Contexts: browse, Footer: true},
		{Keys: []Key{r('s')}, Name: "status codes", Help: "what the status codes mean (1xx to 5xx)", Handler: (*app).openLegend, Contexts: browse},
		{Keys: []Key{r('L')}, Name: "log", Help: "the proxy's log (live mode)", Handler: (*app).openLog, Contexts: browse},
		{Keys: []Key{r('?')}, Name: "help", Help: "this help; again or Esc closes it", Handler: (*app).toggleHelp, Contexts: []Context{CtxList, CtxDetail, CtxScreen}, Footer: true},
		{Keys: []Key{r('q')}, Name: "quit", Help: "quit (on a screen: close it)", Handler: (*app).quitOrClose, Contexts: []Context{CtxList, CtxDetail, CtxScreen, CtxSessions}, Footer: true},
		{Keys: []Key{k(tcell.KeyCtrlC, "ctrl-c")}, Name: "quit", Help: "quit, from anywhere", Handler: (*app).quitNow, Contexts: everywhere},

		{Keys: []Key{r('r')}, Name: "write report", Help: "on the comparison screen: write it as an HTML report into the export folder", Handler: (*app).writeComparison, Contexts: []Context{CtxScreen}, Footer: true},

		{Keys: []Key{k(tcell.KeyEnter, "Enter")}, Name: "apply", Help: "keep this filter", Handler: (*app).applyFilter, Contexts: []Context{CtxFilter}, Footer: true},
		{Keys: []Key{k(tcell.KeyEsc, "Esc")}, Name: "cancel", Help: "restore the filter that was in force", Handler: (*app).cancelFilter, Contexts: []Context{CtxFilter}, Footer: true},
		{Keys: []Key{k(tcell.KeyEnter, "Enter")}, Name: "save", Help: "save the comment (an empty line removes it)", Handler: (*app).saveComment, Contexts: []Context{CtxComment}, Footer: true},
		{Keys: []Key{k(tcell.KeyEsc, "Esc")}, Name: "cancel", Help: "leave the comment as it was", Handler: (*app).cancelComment, Contexts: []Context{CtxComment}, Footer: true},
		{Keys: []Key{k(tcell.KeyBackspace, "Backspace"), k(tcell.KeyBackspace2, "")}, Name: "delete", Help: "delete the last character", Handler: (*app).filterBackspace, Contexts: lines},
		{Keys: []Key{k(tcell.KeyCtrlU, "ctrl-u")}, Name: "clear", Help: "clear the line", Handler: (*app).filterClear, Contexts: lines, Footer: true},

		{Keys: []Key{k(tcell.KeyEnter, "Enter")}, Name: "open", Help: "open the session", Handler: (*app).pickSession, Contexts: []Context{CtxSessions}, Footer: true},
		{Keys: []Key{r('d')}, Name: "delete", Help: "delete the session (asks first; never the one being recorded)", Handler: (*app).deleteSession, Contexts: []Context{CtxSessions}, Footer: true},

		{Keys: []Key{r('y')}, Name: "yes", Help: "yes, do it", Handler: (*app).confirmYes, Contexts: []Context{CtxConfirm}, Footer: true},
		{Keys: []Key{r('n'), k(tcell.KeyEsc, "Esc")}, Name: "no", Help: "no, leave it", Handler: (*app).confirmNo, Contexts: []Context{CtxConfirm}, Footer: true},
	}
}

// mouseHelp documents the mouse beside the keys.
const mouseHelp = "click selects a line or a tab and focuses its pane; the wheel scrolls the pane under the pointer"

// context is where keys go now.
func (a *app) context() Context {
	switch {
	case a.confirm != nil:
		return CtxConfirm
	case a.editing && a.editWhat == editComment:
		return CtxComment
	case a.editing:
		return CtxFilter
	case a.overlay == overlaySessions:
		return CtxSessions
	case a.overlay != overlayNone:
		return CtxScreen
	case a.focus == focusDetail:
		return CtxDetail
	}
	return CtxList
}

func (a *app) onKey(ev *tcell.EventKey) {
	a.msg = "" // a message lasts until the next key
	ctx := a.context()
	for _, b := range a.keys() {
		if !slices.Contains(b.Contexts, ctx) {
			continue
		}
		for _, key := range b.Keys {
			if key.matches(ev) {
				b.Handler(a, ev)
				return
			}
		}
	}
	if slices.Contains(lines, ctx) && ev.Key() == tcell.KeyRune {
		a.filterType(ev.Rune())
	}
}

// keys is the keymap, built once per app.
func (a *app) keys() []Binding {
	if a.bindings == nil {
		a.bindings = keymap()
	}
	return a.bindings
}

// footerHints are the footer's keys for the current context.
func (a *app) footerHints() []render.KeyHint {
	ctx := a.context()
	var first, rest []render.KeyHint
	for _, b := range a.keys() {
		if b.Footer && slices.Contains(b.Contexts, ctx) && a.available(b) {
			h := render.KeyHint{Keys: keyLabels(b.Keys, 2), Name: b.Name}
			if b.Name == "help" || b.Name == "quit" {
				first = append(first, h) // on narrow terminals these must not be cut
			} else {
				rest = append(rest, h)
			}
		}
	}
	return append(first, rest...)
}

// available hides actions the current setup cannot do.
func (a *app) available(b Binding) bool {
	switch b.Name {
	case "delete":
		return a.opts.Deleter != nil
	case "log":
		return a.opts.Logs != nil
	case "mark", "comment", "delete flow":
		return a.opts.Annotator != nil
	case "resend", "resend+secrets":
		return a.opts.Resend != nil
	case "write report":
		return a.overlay == overlayCompare
	}
	return true
}

func keyLabels(keys []Key, most int) string {
	var ls []string
	for _, k := range keys {
		if k.Label != "" && len(ls) < most {
			ls = append(ls, k.Label)
		}
	}
	return strings.Join(ls, " ")
}

// HelpEntries is the keymap as the help screen shows it.
func helpEntries(bs []Binding) []render.HelpEntry {
	var out []render.HelpEntry
	for _, ctx := range []Context{CtxList, CtxDetail, CtxFilter, CtxComment, CtxScreen, CtxSessions, CtxConfirm} {
		for _, b := range bs {
			if b.Contexts[0] == ctx {
				out = append(out, render.HelpEntry{Context: contextTitle(b.Contexts), Keys: keyLabels(b.Keys, 7), Help: b.Help})
			}
		}
	}
	out = append(out, render.HelpEntry{Context: "mouse", Keys: "click, wheel", Help: mouseHelp})
	return out
}

// contextTitle names where a binding works, for the help screen.
func contextTitle(cs []Context) string {
	if len(cs) == len(everywhere) {
		return "everywhere"
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// KeyTable is the keymap as a Markdown table, for README.md (a test keeps
// README's copy in step with this).
func KeyTable() string {
	var b strings.Builder
	b.WriteString("| Keys | Where | What |\n|---|---|---|\n")
	for _, e := range helpEntries(keymap()) {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", mdKeys(e.Keys), e.Context, strings.ReplaceAll(e.Help, "|", `\|`))
	}
	return b.String()
}

func mdKeys(s string) string {
	var out []string
	for _, k := range strings.Fields(s) {
		if k == "," {
			continue
		}
		out = append(out, "`"+strings.TrimSuffix(k, ",")+"`")
	}
	return strings.Join(out, " ")
}
