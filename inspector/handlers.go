package inspector

import (
	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/inspector/render"
)

// The keymap's handlers. Each does what its key means in the current
// context; moving keys move the list's selection, scroll the detail pane,
// scroll a screen or move in the session picker.

func (a *app) move(d int) {
	switch a.context() {
	case CtxList:
		a.m.Move(d)
		a.follow = false
	case CtxDetail:
		a.detail.top += d
	case CtxSessions:
		a.ovSel += d
	default:
		a.ovTop += d
	}
}

func (a *app) down(*tcell.EventKey) { a.move(1) }
func (a *app) up(*tcell.EventKey)   { a.move(-1) }

func (a *app) pageDown(*tcell.EventKey) { a.move(max(a.paneHeight()/2, 1)) }
func (a *app) pageUp(*tcell.EventKey)   { a.move(-max(a.paneHeight()/2, 1)) }

func (a *app) home(*tcell.EventKey) {
	switch a.context() {
	case CtxList:
		a.m.Home()
		a.follow = false
	case CtxDetail:
		a.detail.top = 0
	case CtxSessions:
		a.ovSel = 0
	default:
		a.ovTop = 0
	}
}

func (a *app) end(*tcell.EventKey) {
	const far = 1 << 30 // clamped when drawn
	switch a.context() {
	case CtxList:
		a.m.End()
	case CtxDetail:
		a.detail.top = far
	case CtxSessions:
		a.ovSel = far
	default:
		a.ovTop = far
	}
}

// paneHeight is the height of what the moving keys move in.
func (a *app) paneHeight() int {
	switch a.context() {
	case CtxList:
		return a.layout.list.H - 1
	case CtxDetail:
		return a.layout.detail.H
	}
	return a.layout.body.H
}

func (a *app) open(*tcell.EventKey) {
	if a.m.Len() > 0 {
		a.focus = focusDetail
	}
}

func (a *app) fold(*tcell.EventKey) {
	i := a.m.Selected()
	if a.m.GroupAt(i) == nil {
		i = a.m.Parent(i)
	}
	if i >= 0 {
		a.m.Toggle(i)
	}
}

func (a *app) left(*tcell.EventKey) {
	if a.focus == focusDetail {
		a.prevTab(nil)
		return
	}
	i := a.m.Selected()
	if g := a.m.GroupAt(i); g != nil && !g.Collapsed {
		a.m.SetCollapsed(i, true)
		return
	}
	if p := a.m.Parent(i); p >= 0 {
		a.m.Select(p)
	}
}

func (a *app) right(*tcell.EventKey) {
	if a.focus == focusDetail {
		a.nextTab(nil)
		return
	}
	if g := a.m.GroupAt(a.m.Selected()); g != nil && g.Collapsed {
		a.m.SetCollapsed(a.m.Selected(), false)
	}
}

// tabs are the tabs of what is selected: a flow's or a page load's.
func (a *app) tabs() []string {
	if a.m.GroupAt(a.m.Selected()) != nil {
		return render.PageTabs
	}
	return render.FlowTabs
}

func (a *app) setTab(t int) {
	n := len(a.tabs())
	a.tabOf[a.tabKind()] = ((t % n) + n) % n
	a.detail.top = 0
}

func (a *app) nextTab(*tcell.EventKey) { a.setTab(a.curTab() + 1) }
func (a *app) prevTab(*tcell.EventKey) { a.setTab(a.curTab() - 1) }

func (a *app) tabN(ev *tcell.EventKey) {
	if n := int(ev.Rune() - '1'); n < len(a.tabs()) {
		a.setTab(n)
	}
}

func (a *app) back(*tcell.EventKey) {
	switch {
	case a.overlay != overlayNone:
		a.overlay = overlayNone
	case a.zoom || a.focus == focusDetail:
		// One Esc is back at the list, zoomed or not (issue 19): a zoomed
		// detail pane un-zooms and gives the keys to the list at once.
		a.zoom, a.focus = false, focusList
	case !a.m.Filter().Empty():
		a.m.SetFilter(model.Filter{})
		a.scanBodies() // stops a scan of the bodies
		a.input, a.prevInput = nil, ""
		a.setMsg(render.Dim, "filter cleared")
	}
}

func (a *app) cycleMode(*tcell.EventKey) {
	a.m.CycleMode()
	a.setMsg(render.Dim, "list: "+a.m.Mode().String())
}

func (a *app) cycleSort(*tcell.EventKey) {
	a.m.CycleSort()
	a.setMsg(render.Dim, "sorted by "+a.sortText())
}

func (a *app) reverseSort(*tcell.EventKey) {
	a.m.ReverseSort()
	a.setMsg(render.Dim, "sorted by "+a.sortText())
}

func (a *app) sortText() string {
	k, desc := a.m.Sort()
	if desc {
		return k.String() + " ↓"
	}
	return k.String() + " ↑"
}

func (a *app) toggleZoom(*tcell.EventKey) { a.zoom = !a.zoom }

func (a *app) toggleFollow(*tcell.EventKey) {
	a.follow = !a.follow
	if a.follow {
		a.m.SelectNewest()
		a.setMsg(render.Dim, "following the newest flow (any move stops it)")
	} else {
		a.setMsg(render.Dim, "not following")
	}
}

func (a *app) openOverlay(o overlay) {
	a.overlay, a.ovTop = o, 0
}

func (a *app) toggleHelp(*tcell.EventKey) {
	if a.overlay == overlayHelp {
		a.overlay = overlayNone
		return
	}
	a.openOverlay(overlayHelp)
}

func (a *app) openLegend(*tcell.EventKey) { a.openOverlay(overlayLegend) }

func (a *app) openLog(*tcell.EventKey) {
	if a.opts.Logs == nil {
		a.setMsg(render.Dim, "no log: the proxy runs elsewhere (glassbox inspect reads a database)")
		return
	}
	a.openOverlay(overlayLog)
	a.ovTop = 1 << 30 // the newest lines
}

func (a *app) waterfall(*tcell.EventKey) {
	if a.pageOfSelection() == nil {
		a.setMsg(render.WarnText, "select a flow or a page load first")
		return
	}
	a.openOverlay(overlayWaterfall)
}

func (a *app) quitOrClose(*tcell.EventKey) {
	if a.overlay != overlayNone {
		a.overlay = overlayNone
		return
	}
	a.quit = true
}

func (a *app) quitNow(*tcell.EventKey) { a.quit = true }

// The filter line.

func (a *app) startFilter(*tcell.EventKey) {
	a.editing, a.editWhat = true, editFilter
	a.prevInput = a.m.Filter().String()
	a.input = []rune(a.prevInput)
	a.filterErr = ""
}

func (a *app) filterType(c rune) {
	a.input = append(a.input, c)
	a.liveFilter()
}

func (a *app) filterBackspace(*tcell.EventKey) {
	if len(a.input) > 0 {
		a.input = a.input[:len(a.input)-1]
		a.liveFilter()
	}
}

func (a *app) filterClear(*tcell.EventKey) {
	a.input = nil
	a.liveFilter()
}

// liveFilter applies the line as it is typed whenever it parses, so the
// list answers each keystroke; an error waits on the line until fixed.
func (a *app) liveFilter() {
	if a.editWhat != editFilter {
		return // the comment line: nothing to apply as it is typed
	}
	f, err := model.ParseFilter(string(a.input))
	if err != nil {
		a.filterErr = err.Error()
		return
	}
	a.filterErr = ""
	a.m.SetFilter(f)
	a.scanBodies()
}

func (a *app) applyFilter(*tcell.EventKey) {
	if a.filterErr != "" {
		return // the error stays on the line until fixed or cancelled
	}
	a.editing = false
	a.scanBodies()
	if a.scan.running {
		a.scan.report = true // scanDone says how many once every body is read
		a.setMsg(render.Dim, "searching the bodies for "+a.m.Filter().String()+"…")
		return
	}
	if n := a.m.Shown(); !a.m.Filter().Empty() {
		a.setMsg(render.Dim, explain.Plural(n, "flow")+" "+matchVerb(n)+" "+a.m.Filter().String())
	}
}

func (a *app) cancelFilter(*tcell.EventKey) {
	a.editing, a.filterErr = false, ""
	f, _ := model.ParseFilter(a.prevInput)
	a.m.SetFilter(f)
	a.scanBodies()
}

// Questions.

func (a *app) ask(question string, yes func(a *app)) {
	a.confirm = &confirmation{question: question, yes: yes}
}

func (a *app) confirmYes(*tcell.EventKey) {
	c := a.confirm
	a.confirm = nil
	c.yes(a)
}

func (a *app) confirmNo(*tcell.EventKey) {
	a.confirm = nil
	a.setMsg(render.Dim, "nothing changed")
}
