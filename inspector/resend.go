package inspector

import (
	"fmt"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
)

// The resend keys: the selected flow sent again through glassbox
// (Options.Resend, what `glassbox resend` does), recorded as a new flow
// of this session that says what it repeats. Cookie and Authorization go
// again only with X, after a question: a request sent again acts as the
// user a second time.

func (a *app) resendFlow(*tcell.EventKey) { a.resend(false) }

func (a *app) resendWithCredentials(*tcell.EventKey) {
	r := a.resendable()
	if r == nil {
		return
	}
	a.ask(fmt.Sprintf("send #%d again WITH its recorded Cookie and Authorization (it acts as you again)?", r.ID), func(a *app) { a.resend(true) })
}

// resendable is the selected flow when it can be sent again, else nil
// with the reason on the status line.
func (a *app) resendable() *model.Row {
	r := a.m.RowAt(a.m.Selected())
	switch {
	case a.opts.Resend == nil:
		a.setMsg(render.WarnText, "this inspector cannot send requests (glassbox resend can)")
	case r == nil:
		a.setMsg(render.WarnText, "select a flow to send it again")
	case r.Kind != store.KindHTTP:
		a.setMsg(render.WarnText, fmt.Sprintf("#%d is a %s: there is no request to send again", r.ID, r.Kind))
	case a.load.resend:
		a.setMsg(render.Dim, "a resend is on its way; one at a time")
	default:
		return r
	}
	return nil
}

func (a *app) resend(withCreds bool) {
	r := a.resendable()
	if r == nil {
		return
	}
	sid, id := a.session.ID, r.ID
	a.load.resend = true
	creds := "without its Cookie and Authorization (X sends them)"
	if withCreds {
		creds = "with its credentials"
	}
	a.setMsg(render.Dim, fmt.Sprintf("sending #%d again %s…", id, creds))
	a.goBackground(func() func(*app) {
		newID, line, err := a.opts.Resend(a.ctx, sid, id, withCreds)
		return func(a *app) {
			a.load.resend = false
			if err != nil {
				a.setMsg(render.ErrorText, "resend: "+err.Error())
				return
			}
			a.setMsg(render.GoodText, render.Sanitize(line))
			if newID != 0 && a.session.ID == sid {
				a.resent = newID
				a.fetchFlows() // a session no longer recording is polled only until it is there (tick)
			}
		}
	})
}

// selectResent selects the flow a resend made once it is in the list.
func (a *app) selectResent() {
	if a.resent != 0 && a.m.RowByID(a.resent) != nil {
		if a.m.SelectFlow(a.resent) {
			a.follow = false
		}
		a.resent = 0
	}
}
