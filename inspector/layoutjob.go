package inspector

import (
	"context"
	"fmt"

	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
)

// Laying out a flow's tab off the UI goroutine (issue 15: "rendering never
// blocks input"). The tabs of a flow with large bodies or a long URL take
// milliseconds to tens of milliseconds to lay out, and reaching a far page
// of a gzip bomb decodes the pages before it (seconds): such a layout runs
// in a goroutine, the pane says "laying out…" meanwhile, and keys, q and
// Ctrl-C among them, act at once. The result reaches the screen through
// the UI goroutine, and only if the pane still wants it; asking for
// another layout cancels the one running.

// heavyFlow is the size (URL, headers and stored bodies) from which a
// flow's tabs are laid out in the background. Below it a tab takes well
// under a millisecond, and is laid out at once, without a frame of
// "laying out…".
const heavyFlow = 64 << 10

// layoutJob is the layout running in the background.
type layoutJob struct {
	key    string // the linesKey it lays out, "" when none runs
	cancel context.CancelFunc
}

func heavy(f *store.Flow) bool {
	n := len(f.URL) + len(f.ReqBody.Data) + len(f.RespBody.Data)
	for _, h := range [...]store.Headers{f.ReqHeaders, f.RespHeaders} {
		for _, v := range h {
			n += len(v.Name) + len(v.Value)
		}
	}
	return n >= heavyFlow
}

// linesKey names what the detail pane's lines show: when it changes they
// are laid out again. A flow's tabs do not depend on the flows around it,
// so a new flow arriving (live) leaves them be; the Body tab depends on
// the flow alone.
func (a *app) linesKey(w int) string {
	tab, kind := a.curTab(), a.tabKind()
	if f := a.detail.flow.Flow; kind == 0 && a.m.Len() > 0 && f != nil && f.ID == a.detail.have.flow {
		if isBodyTab(tab) {
			return fmt.Sprint("body ", f.ID, f.Rev, w, a.detail.bodyPage)
		}
		// A flow's hops depend on the chains, its story on its page and the
		// connections read (version).
		return fmt.Sprint("flow ", a.detail.have, f.Rev, tab, w, a.detail.version, a.m.Chain(f.ID), a.m.FoldChains(), a.m.PageCount())
	}
	// A group's numbers depend on the filter and on every flow.
	return fmt.Sprint(a.detail.have, tab, w, a.detail.version, a.m.FlowCount(), a.m.PageCount(), kind,
		a.m.Filter().String(), a.m.FoldChains())
}

func isBodyTab(tab int) bool { return render.FlowTabs[tab%len(render.FlowTabs)] == "Body" }

// layOut returns the lines of a flow's tab: at once for a light flow; for
// a heavy one, from the background, and until then the title and
// "laying out…" with done false.
func (a *app) layOut(key string, tab, w int, fd render.FlowDetail) (lines []render.Line, done bool) {
	if !heavy(fd.Flow) {
		lines, a.detail.more = tabLines(a.ctx, a.theme, tab, w, fd)
		a.detail.pageDue = a.detail.pageDue && !isBodyTab(tab)
		return lines, true
	}
	if a.detail.job.key != key {
		a.startLayout(key, tab, w, fd)
	}
	if a.detail.laidFor == laidFor(fd, tab, w) {
		// The same tab of the same flow, laid out again (its connection was
		// read, say): the lines on screen stay until the new ones come.
		return a.detail.lines, false
	}
	what := "this tab"
	if isBodyTab(tab) {
		what = fmt.Sprintf("page %d of the body", fd.BodyPage+1)
	}
	return render.LayingOut(fd.Flow, w, what), false
}

// laidFor names the flow, tab, page and width lines were laid out for.
func laidFor(fd render.FlowDetail, tab, w int) string {
	return fmt.Sprint(fd.Flow.ID, tab, fd.BodyPage, w)
}

// tabLines lays out one tab of a flow; more says a body goes on past the
// Body tab's page.
func tabLines(ctx context.Context, th *render.Theme, tab, w int, fd render.FlowDetail) (lines []render.Line, more bool) {
	if isBodyTab(tab) {
		return render.BodyTab(ctx, fd, w)
	}
	return render.FlowTab(th, tab, fd, w), false
}

func (a *app) startLayout(key string, tab, w int, fd render.FlowDetail) {
	a.stopLayout()
	ctx, cancel := context.WithCancel(a.ctx)
	a.detail.job = layoutJob{key: key, cancel: cancel}
	th := a.theme
	a.goBackground(func() func(*app) {
		lines, more := tabLines(ctx, th, tab, w, fd)
		return func(a *app) {
			cancel()
			if a.detail.job.key != key {
				return // another layout was asked for meanwhile
			}
			a.detail.job = layoutJob{}
			a.detail.more = more
			a.detail.pageDue = a.detail.pageDue && !isBodyTab(tab)
			a.keepLines(key, tab, w, lines)
			a.detail.laidFor = laidFor(fd, tab, w)
			a.dirty = true
		}
	})
}

// stopLayout cancels the layout running, if any.
func (a *app) stopLayout() {
	if a.detail.job.cancel != nil {
		a.detail.job.cancel()
	}
	a.detail.job = layoutJob{}
}

// The page keys: a body longer than a page (render.BodyPage decoded
// bytes) is read a page at a time.

func (a *app) turnBodyPage(d int) {
	switch {
	case a.tabKind() != 0 || !isBodyTab(a.curTab()):
		a.setMsg(render.Dim, "] and [ turn the pages of a long body, on a flow's Body tab (5)")
	case d > 0 && a.detail.pageDue:
		// Whether there is a next page is known once this one is laid out:
		// keys pressed faster than that must not run past the end.
		a.setMsg(render.Dim, fmt.Sprintf("page %d is still being laid out", a.detail.bodyPage+1))
	case d > 0 && !a.detail.more:
		a.setMsg(render.Dim, "this is the body's last page")
	case d < 0 && a.detail.bodyPage == 0:
		a.setMsg(render.Dim, "this is the body's first page")
	default:
		a.detail.bodyPage += d
		a.detail.top, a.detail.pageDue = 0, true
	}
}
