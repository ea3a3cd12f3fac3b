package inspector

import (
	"context"
	"fmt"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
)

// Marks, comments and deleting one flow (issue 19, item 4). They write
// through Options.Annotator in the background; the model shows the change
// once the store has it. Without an Annotator (glassbox inspect
// --read-only) the keys say why they cannot.

// commentMax bounds a comment typed on the comment line.
const commentMax = 2000

// writable says why annotating is not possible here, "" when it is.
func (a *app) writable() string {
	if a.opts.Annotator == nil {
		return "this database is open read-only: marks, comments and deleting need glassbox inspect without --read-only"
	}
	return ""
}

// toggleMark marks or unmarks the selected flow.
func (a *app) toggleMark(*tcell.EventKey) {
	r := a.m.RowAt(a.m.Selected())
	switch {
	case a.writable() != "":
		a.setMsg(render.WarnText, a.writable())
	case r == nil:
		a.setMsg(render.WarnText, "select a flow to mark it")
	default:
		n := a.m.FlowNote(r.ID)
		n.FlowID, n.Marked = r.ID, !n.Marked
		verb := "marked"
		if !n.Marked {
			verb = "unmarked"
		}
		a.annotate(n, fmt.Sprintf("%s #%d (the filter marked lists the marked flows)", verb, r.ID))
	}
}

// commentTarget is the annotation the comment key edits: the selected
// flow's, or the selected page load's.
func (a *app) commentTarget() (store.Annotation, string, bool) {
	i := a.m.Selected()
	if r := a.m.RowAt(i); r != nil {
		n := a.m.FlowNote(r.ID)
		n.FlowID = r.ID
		return n, fmt.Sprintf("#%d", r.ID), true
	}
	if g := a.m.GroupAt(i); g != nil && (g.Kind == model.GroupPage || g.Kind == model.GroupFrame) {
		return store.Annotation{PageID: g.PageID, Comment: a.m.PageComment(g.PageID)}, fmt.Sprintf("page load #%d", g.PageID), true
	}
	return store.Annotation{}, "", false
}

// startComment opens the comment line on the selected flow or page load.
func (a *app) startComment(*tcell.EventKey) {
	if w := a.writable(); w != "" {
		a.setMsg(render.WarnText, w)
		return
	}
	n, what, ok := a.commentTarget()
	if !ok {
		a.setMsg(render.WarnText, "select a flow or a page load to comment on it")
		return
	}
	a.editing, a.editWhat, a.commentOn, a.commentWhat = true, editComment, n, what
	a.input = []rune(n.Comment)
}

// saveComment stores the comment line (an empty line removes the comment).
func (a *app) saveComment(*tcell.EventKey) {
	a.editing = false
	n := a.commentOn
	n.Comment = string(a.input)
	if len(n.Comment) > commentMax {
		n.Comment = n.Comment[:commentMax]
	}
	msg := "comment on " + a.commentWhat + " saved"
	if n.Comment == "" {
		msg = "comment on " + a.commentWhat + " removed"
	}
	a.annotate(n, msg)
}

func (a *app) cancelComment(*tcell.EventKey) {
	a.editing = false
	a.setMsg(render.Dim, "comment left as it was")
}

// annotate writes one annotation in the background and applies it.
func (a *app) annotate(n store.Annotation, done string) {
	a.change("cannot save it: ", done,
		func(ctx context.Context, sid int64) error { return a.opts.Annotator.Annotate(ctx, sid, n) },
		func(a *app) {
			a.m.Annotate(n)
			a.detail.version++ // the details show the comment
		})
}

// change runs a write through the Annotator in the background (it is not
// cancelled with the inspector: a change asked for is made); once it is
// done, apply shows it, if the session it changed is still on screen.
func (a *app) change(failed, done string, write func(ctx context.Context, sid int64) error, apply func(a *app)) {
	sid := a.session.ID
	a.load.export = true
	a.goBackground(func() func(*app) {
		err := write(context.WithoutCancel(a.ctx), sid)
		return func(a *app) {
			a.load.export = false
			if err != nil {
				a.setMsg(render.ErrorText, failed+err.Error())
				return
			}
			if sid == a.session.ID {
				apply(a)
			}
			a.setMsg(render.GoodText, done)
		}
	})
}

// deleteFlow asks, then deletes the selected flow from the database.
func (a *app) deleteFlow(*tcell.EventKey) {
	r := a.m.RowAt(a.m.Selected())
	switch {
	case a.writable() != "":
		a.setMsg(render.WarnText, a.writable())
		return
	case r == nil:
		a.setMsg(render.WarnText, "select a flow to delete it (S, then d, deletes a whole session)")
		return
	}
	id := r.ID
	a.ask(fmt.Sprintf("Delete #%d %s %s from the database? This cannot be undone.", id, r.Method, render.Fit(r.URL, 60)), func(a *app) {
		a.change("delete failed: ", fmt.Sprintf("deleted #%d", id),
			func(ctx context.Context, sid int64) error { return a.opts.Annotator.DeleteFlow(ctx, sid, id) },
			func(a *app) { a.m.Remove(id) })
	})
}
