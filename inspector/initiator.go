package inspector

import (
	"fmt"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/render"
)

// Initiators in the UI: going to the flow that caused the selected one,
// and folding redirect chains into their final requests.

// jumpToInitiator selects the flow that caused the selected one (the
// document or stylesheet that references it, the redirect it followed),
// unfolding what hides it; a filter that hides it is left alone and said.
func (a *app) jumpToInitiator(*tcell.EventKey) {
	r := a.m.RowAt(a.m.Selected())
	if r == nil {
		a.setMsg(render.WarnText, "select a flow to go to the one that initiated it")
		return
	}
	from, id := r.ID, r.InitFlow
	switch {
	case id == 0:
		a.setMsg(render.Dim, fmt.Sprintf("no recorded flow initiated #%d (its Request tab says what did)", from))
		return
	case a.m.RowByID(id) == nil:
		a.setMsg(render.WarnText, fmt.Sprintf("#%d was initiated by #%d, which this session does not hold", from, id))
		return
	}
	note := ""
	if a.m.Folded(id) {
		a.m.SetFoldChains(false)
		note = " (redirect chains unfolded to show it)"
	}
	if !a.m.SelectFlow(id) {
		a.setMsg(render.WarnText, fmt.Sprintf("#%d, which initiated #%d, is hidden by the filter %q (Esc clears it)", id, from, a.m.Filter().String()))
		return
	}
	a.follow = false
	a.setMsg(render.Dim, fmt.Sprintf("#%d, which initiated #%d%s", id, from, note))
}

// toggleChains folds each redirect chain into its final request, or
// unfolds them; a selected hop that folds away hands the selection to
// its chain's final request.
func (a *app) toggleChains(*tcell.EventKey) {
	fold := !a.m.FoldChains()
	var sel int64
	if r := a.m.RowAt(a.m.Selected()); r != nil {
		sel = r.ID
	}
	a.m.SetFoldChains(fold)
	if sel != 0 && a.m.Folded(sel) {
		if c := a.m.Chain(sel); len(c) > 0 {
			a.m.SelectFlow(c[len(c)-1])
		}
	}
	if fold {
		a.setMsg(render.Dim, "redirect chains folded into their final requests (↪ N hops); H unfolds them")
	} else {
		a.setMsg(render.Dim, "redirect chains unfolded: every hop on its own line")
	}
}

// jumpKey is the label of the key that goes to a flow's initiator, for
// the Request tab's hint.
func (a *app) jumpKey() string {
	for _, b := range a.keys() {
		if b.Name == "initiator" {
			return keyLabels(b.Keys, 1)
		}
	}
	return ""
}
