package inspector

import (
	"errors"
	"fmt"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/diagnose"
)

// The diagnosis of a page load (store/diagnose) opens its Story; ] and [
// walk the flows of its findings, one finding after another.

// diagnosePage diagnoses page load page of session sid from its flows,
// read with their headers (run in the background: it reads the store).
func (a *app) diagnosePage(sid, page int64, flows []store.Flow) (*diagnose.Diagnosis, error) {
	pages, err := a.opts.Reader.Pages(a.ctx, sid)
	if err != nil {
		return nil, err
	}
	conns, lookups, err := a.readConns(sid)
	if err != nil {
		return nil, err
	}
	in := diagnose.Input{Flows: append([]store.Flow(nil), flows...), Conns: conns, Lookups: lookups}
	if err := diagnose.Complete(a.ctx, a.opts.Reader, sid, pages, page, &in); errors.Is(err, store.ErrNotFound) {
		// Flows name a page load the store has no record of (one written
		// by another tool, or cut short): there is nothing to diagnose it
		// against, and its flows are shown all the same.
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	d := diagnose.Diagnose(in)
	return &d, nil
}

// findingStop is one flow of one finding, where ] and [ stop.
type findingStop struct {
	finding int // index in Findings
	flow    int64
}

func findingStops(d *diagnose.Diagnosis) []findingStop {
	var out []findingStop
	for i, f := range d.Findings {
		for _, id := range f.FlowIDs {
			out = append(out, findingStop{finding: i, flow: id})
		}
	}
	return out
}

// bracketNext and bracketPrev are ] and [: on a flow's Body tab they turn
// a long body's pages (layoutjob.go), elsewhere they walk the diagnosis'
// findings.
func (a *app) bracketNext(ev *tcell.EventKey) { a.bracket(1) }
func (a *app) bracketPrev(ev *tcell.EventKey) { a.bracket(-1) }

func (a *app) bracket(dir int) {
	if a.tabKind() == 0 && isBodyTab(a.curTab()) {
		a.turnBodyPage(dir)
		return
	}
	a.stepFinding(dir)
}

// stepFinding selects the next (or previous) flow among the findings of
// the selected page load's diagnosis.
func (a *app) stepFinding(dir int) {
	pd := a.pageOfSelection()
	var d *diagnose.Diagnosis
	if pd != nil {
		d = pd.Diagnosis
	}
	if d == nil {
		a.setMsg(render.Dim, "select a page load (or one of its flows) whose Story shows a diagnosis")
		return
	}
	stops := findingStops(d)
	if len(stops) == 0 {
		a.setMsg(render.Dim, "the diagnosis of this page load found nothing to fix")
		return
	}
	page := pd.Group.PageID
	if a.findingAt.page != page {
		a.findingAt.page, a.findingAt.i = page, -1
		if dir < 0 {
			a.findingAt.i = 0
		}
	}
	i := ((a.findingAt.i+dir)%len(stops) + len(stops)) % len(stops)
	a.findingAt.i = i
	st := stops[i]
	f := d.Findings[st.finding]
	if !a.m.SelectFlow(st.flow) {
		a.setMsg(render.WarnText, fmt.Sprintf("#%d (%s) is hidden by the filter %q (Esc clears it)", st.flow, f.Kind, a.m.Filter().String()))
		return
	}
	a.follow = false
	nth := 1
	for _, id := range f.FlowIDs {
		if id == st.flow {
			break
		}
		nth++
	}
	a.setMsg(render.Dim, fmt.Sprintf("finding %d of %d, %s: #%d (flow %d of %d) — %s", st.finding+1, len(d.Findings), f.Kind,
		st.flow, nth, len(f.FlowIDs), f.Title))
}

// findingKeys labels the keys that walk the findings ("] and ["), from the
// keymap.
func (a *app) findingKeys() string {
	var next, prev string
	for _, b := range a.keys() {
		switch b.Name {
		case "next page/finding":
			next = keyLabels(b.Keys, 1)
		case "prev page/finding":
			prev = keyLabels(b.Keys, 1)
		}
	}
	if next == "" {
		return ""
	}
	return next + " and " + prev
}
