package inspector

import (
	"fmt"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/diagnose"
)

// The detail pane shows what is selected. Only the selected flow is read
// in full (with its bodies); a page load's flows are read with headers
// for its story. What was read is kept until the selection moves on; the
// previous content stays on screen while the next is read, so moving
// through the list does not flicker.

// detailKey names what the detail pane shows.
type detailKey struct {
	flow  int64  // a flow
	rev   int64  // the flow's change number (store.Flow.Rev): a flow in flight is read again as it changes
	page  int64  // the page load the flow belongs to, or the page selected
	group string // a group that is not a page load (unattributed, host, dir)
}

type pageData struct {
	flows []store.Flow
	count int // how many flows the page had when read
	at    time.Time
	diag  *diagnose.Diagnosis // why the page load took its time (diagnosis.go)
	// err is why the page's flows could not be read: kept like a read so
	// that it is asked again only when the page grows (pageStale) or the
	// selection comes back to it, never in a loop.
	err error
}

type detailState struct {
	want, have detailKey
	flow       render.FlowDetail
	pages      map[int64]*pageData
	version    int // bumped when data arrives
	lines      []render.Line
	linesKey   string
	top        int
	bodyPage   int       // the page of the bodies the Body tab shows
	more       bool      // a body goes on past the page shown
	pageDue    bool      // the page was turned and is not laid out yet
	job        layoutJob // a tab being laid out in the background
	laidOut    int       // how many times lines were laid out (tests count them)
	laidFor    string    // the flow's tab the lines are of, when laid out in the background (laidFor)
}

func (d *detailState) reset() {
	*d = detailState{pages: map[int64]*pageData{}}
}

// tabKind is 0 for a flow's tabs, 1 for a group's.
func (a *app) tabKind() int {
	if a.m.GroupAt(a.m.Selected()) != nil {
		return 1
	}
	return 0
}

// curTab is the active tab of what is selected.
func (a *app) curTab() int { return a.tabOf[a.tabKind()] }

// selectionKey is what the detail pane should show now.
func (a *app) selectionKey() detailKey {
	i := a.m.Selected()
	if a.m.Len() == 0 {
		return detailKey{}
	}
	if r := a.m.RowAt(i); r != nil {
		return detailKey{flow: r.ID, rev: r.Rev, page: r.PageID}
	}
	g := a.m.GroupAt(i)
	if g.Kind == model.GroupPage || g.Kind == model.GroupFrame {
		return detailKey{page: g.PageID}
	}
	return detailKey{group: g.Key}
}

// syncDetail follows the selection: it starts a read when what is shown
// is not what is selected, or the page's flows grew since they were read.
func (a *app) syncDetail() {
	want := a.selectionKey()
	if moved := want.flow != a.detail.want.flow || want.page != a.detail.want.page || want.group != a.detail.want.group; moved {
		a.detail.top, a.detail.bodyPage, a.detail.pageDue = 0, 0, false // a flow that changed in flight keeps its place
	}
	a.detail.want = want
	if a.load.detail {
		return
	}
	if want.flow == 0 && want.page == 0 {
		a.detail.have = want // nothing to read: drawn from the summaries
		return
	}
	if want != a.detail.have || a.pageStale(want.page) {
		a.loadDetail(want)
	}
}

func (a *app) pageStale(page int64) bool {
	pd := a.detail.pages[page]
	if page == 0 || pd == nil {
		return page != 0
	}
	return pd.count != len(a.m.PageRows(page)) && a.now().Sub(pd.at) >= time.Second
}

// detailPlan is what one detail read fetches, worked out in the UI
// goroutine from the summaries.
type detailPlan struct {
	prevID, nextID int64   // the flow's neighbours in its page
	pageIDs        []int64 // the page's flows to read, nil when read recently
	readConns      bool
}

func (a *app) planDetail(key detailKey) detailPlan {
	var p detailPlan
	var rows []*model.Row
	if key.page != 0 {
		rows = a.m.PageRows(key.page)
	}
	var connIDs []int64
	for i, r := range rows {
		connIDs = append(connIDs, r.ConnID)
		if r.ID == key.flow && i > 0 {
			p.prevID = rows[i-1].ID
		}
		if r.ID == key.flow && i+1 < len(rows) {
			p.nextID = rows[i+1].ID
		}
	}
	if r := a.m.RowByID(key.flow); r != nil {
		connIDs = append(connIDs, r.ConnID)
	}
	if pd := a.detail.pages[key.page]; key.page != 0 && (pd == nil || pd.err != nil || a.pageStale(key.page)) {
		p.pageIDs = make([]int64, 0, len(rows))
		for _, r := range rows {
			p.pageIDs = append(p.pageIDs, r.ID)
		}
	}
	p.readConns = a.needConns(connIDs...)
	return p
}

func (a *app) loadDetail(key detailKey) {
	sid := a.session.ID
	p := a.planDetail(key)
	if p.readConns {
		a.connsAt = a.now() // a connection never recorded is asked for once a second at most
	}
	a.load.detail = true
	// A flow read at this change already (its page grew) is not read again:
	// its bodies may be megabytes.
	var kept *store.Flow
	var keptMsgs []store.Message
	if key.flow == a.detail.have.flow && key.rev == a.detail.have.rev {
		kept, keptMsgs = a.detail.flow.Flow, a.detail.flow.Messages
	}
	a.goBackground(func() func(*app) {
		var fd render.FlowDetail
		var err error
		if key.flow != 0 && kept != nil {
			fd.Flow, fd.Messages = kept, keptMsgs
			fd.Prev, fd.Next = a.neighbour(sid, p.prevID), a.neighbour(sid, p.nextID)
		} else if key.flow != 0 {
			var f store.Flow
			if f, err = a.opts.Reader.Flow(a.ctx, sid, key.flow); err == nil {
				fd.Flow = &f
				fd.Prev, fd.Next = a.neighbour(sid, p.prevID), a.neighbour(sid, p.nextID)
			}
			if err == nil && f.Messages > 0 {
				fd.Messages, err = store.Messages(a.ctx, a.opts.Reader, sid, key.flow)
			}
		}
		var pflows []store.Flow
		var diag *diagnose.Diagnosis
		if err == nil && p.pageIDs != nil {
			if pflows, err = a.readPageFlows(sid, p.pageIDs); err == nil {
				diag, err = a.diagnosePage(sid, key.page, pflows)
			}
		}
		var conns map[int64]*store.Conn
		var lookups map[int64]*store.Lookup
		if err == nil && p.readConns {
			conns, lookups, err = a.readConns(sid)
		}
		return func(a *app) {
			a.load.detail = false
			if sid != a.session.ID {
				return
			}
			if err != nil {
				a.setMsg(render.ErrorText, "cannot read the details: "+err.Error())
				a.detail.have = key // do not retry in a loop; moving the selection retries
				if p.pageIDs != nil {
					a.keepPage(key.page, &pageData{err: err})
				}
				return
			}
			a.storeDetail(key, fd, pflows, diag, p.pageIDs != nil, conns, lookups)
		}
	})
}

func (a *app) storeDetail(key detailKey, fd render.FlowDetail, pflows []store.Flow, diag *diagnose.Diagnosis, read bool,
	conns map[int64]*store.Conn, lookups map[int64]*store.Lookup) {
	if conns != nil {
		a.setConns(conns, lookups)
	}
	if read {
		a.keepPage(key.page, &pageData{flows: pflows, diag: diag})
	}
	a.detail.have = key
	a.detail.flow = fd
	a.detail.version++
	a.dirty = true
}

// keepPage keeps what a read of a page's flows brought (pd.flows, or
// pd.err), as of the page's count now, in a small cache.
func (a *app) keepPage(page int64, pd *pageData) {
	if len(a.detail.pages) >= 8 {
		for id := range a.detail.pages {
			delete(a.detail.pages, id) // a small cache: drop any
			break
		}
	}
	pd.count, pd.at = max(len(pd.flows), len(a.m.PageRows(page))), a.now()
	a.detail.pages[page] = pd
}

// detailLines are the lines of the active tab, built again only when what
// they show changed (linesKey). A flow's tab may be laid out in the
// background (layoutjob.go): until it is, the pane says so.
func (a *app) detailLines(w int) []render.Line {
	tab := a.curTab()
	key := a.linesKey(w)
	if win, ok := a.waterfallWindow(tab); ok {
		key += fmt.Sprint(" rows ", win.From)
	}
	if key == a.detail.linesKey {
		return a.detail.lines
	}
	var lines []render.Line
	switch {
	case a.m.Len() == 0:
		lines = []render.Line{render.L(render.S(render.Dim, "nothing selected"))}
	case a.tabKind() == 1:
		d := a.pageDetail(a.m.GroupAt(a.m.Selected()), 0)
		if win, ok := a.waterfallWindow(tab); ok {
			d.Window = win
		}
		lines = render.PageTab(a.theme, tab, d, w)
	default:
		var done bool
		if lines, done = a.flowLines(key, tab, w); !done {
			return lines
		}
	}
	a.keepLines(key, tab, w, lines)
	return a.detail.lines
}

// waterfallWindow is the part of a group's waterfall the pane shows, with
// a screenful above and below so that scrolling a little lays out nothing
// again; ok is false for other tabs.
func (a *app) waterfallWindow(tab int) (render.Window, bool) {
	if a.tabKind() != 1 || render.PageTabs[tab%len(render.PageTabs)] != "Waterfall" {
		return render.Window{}, false
	}
	h := max(a.layout.detail.H, 1)
	return windowAround(a.detail.top, h), true
}

// windowAround is the block of 3h lines around top, aligned to h: the
// same for every top within one screenful.
func windowAround(top, h int) render.Window {
	return render.Window{From: (top/h - 1) * h, N: 3 * h}
}

// keepLines keeps the lines of the active tab for key.
func (a *app) keepLines(key string, tab, w int, lines []render.Line) {
	if tab == 0 && a.m.Len() > 0 {
		lines = append(a.noteLines(w), lines...)
	}
	a.detail.lines, a.detail.linesKey, a.detail.laidFor = lines, key, ""
	a.detail.laidOut++
}

// noteLines open the Story tab with what the user wrote on the selected
// flow or page load: the mark and the comment.
func (a *app) noteLines(w int) []render.Line {
	var n store.Annotation
	i := a.m.Selected()
	if r := a.m.RowAt(i); r != nil {
		n = a.m.FlowNote(r.ID)
	} else if g := a.m.GroupAt(i); g != nil && g.PageID != 0 {
		n.Comment = a.m.PageComment(g.PageID)
	}
	var out []render.Line
	if n.Marked {
		out = append(out, render.L(render.S(render.WarnText, "★ marked"), render.S(render.Dim, " (M unmarks it)")))
	}
	if n.Comment != "" {
		out = append(out, render.Wrap(render.Sanitize(n.Comment), w, "✎ your comment: ", "  ", render.WarnText)...)
	}
	if len(out) > 0 {
		out = append(out, render.Blank)
	}
	return out
}

// flowLines lays out a flow's tab; done is false while it is laid out in
// the background.
func (a *app) flowLines(key string, tab, w int) (lines []render.Line, done bool) {
	fd := a.detail.flow
	if fd.Flow == nil {
		return render.FlowTab(a.theme, tab, fd, w), true
	}
	fd.Chain, fd.JumpKey, fd.Network = a.m.Chain(fd.Flow.ID), a.jumpKey(), a.session.Network
	fd.Conn = store.FlowConn(fd.Flow, a.conns)
	fd.Lookup = store.FlowLookup(fd.Flow, fd.Conn, a.lookups)
	if pd := a.detail.pages[fd.Flow.PageID]; pd != nil {
		p, _ := a.m.Page(fd.Flow.PageID)
		fd.Page = &render.PageDetail{Group: &model.Group{Kind: model.GroupPage, PageID: p.ID, Page: p},
			Flows: pd.flows, Conns: a.conns, Lookups: a.lookups}
	}
	fd.BodyPage = a.detail.bodyPage
	return a.layOut(key, tab, w, fd)
}

// pageDetail gathers what a group's tabs show; selected marks a flow in
// the waterfall.
func (a *app) pageDetail(g *model.Group, selected int64) render.PageDetail {
	d := render.PageDetail{Group: g, Rows: a.m.GroupRows(g), Conns: a.conns, Lookups: a.lookups, Selected: selected, Network: a.session.Network}
	if g.Kind == model.GroupPage || g.Kind == model.GroupFrame {
		if pd := a.detail.pages[g.PageID]; pd != nil {
			d.Flows, d.Diagnosis, d.FindingKeys, d.ReadErr = pd.flows, pd.diag, a.findingKeys(), pd.err
		}
	}
	return d
}

// pageOfSelection is the page load the waterfall shows: the selected page,
// or the top-level page of the selected flow (frames included).
func (a *app) pageOfSelection() *render.PageDetail {
	i := a.m.Selected()
	if a.m.Len() == 0 {
		return nil
	}
	if g := a.m.GroupAt(i); g != nil {
		d := a.pageDetail(g, 0)
		return &d
	}
	r := a.m.RowAt(i)
	top := a.m.TopPage(a.m.PageOf(r))
	p, _ := a.m.Page(top)
	g := &model.Group{Kind: model.GroupPage, PageID: top, Page: p}
	if top == 0 {
		bg := model.BackgroundGroup(r)
		g = &bg
	}
	g.Total = len(a.m.GroupRows(g))
	d := a.pageDetail(g, r.ID)
	return &d
}
