package inspector

import (
	"context"
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/inspector/export"
	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
)

// Actions that write files or change the database. Each runs in the
// background and reports on the status line. Files are written by
// inspector/export, the code `glassbox export` runs: the same scope,
// filter and redaction give the same file from either.

// scope is what an export covers: a page load (with its frames), another
// group, or the session, always with the filter in force.
type scope struct {
	file   string // the file name, without its extension
	what   string // for the status line
	pageID int64
	flows  []int64 // a group that is not a page load: its flows
}

// groupScope is the selected page load (a flow's page, a frame's
// top-level page: HAR's pages[] holds top-level page loads, DESIGN.md) or
// the selected group.
func (a *app) groupScope() (scope, bool) {
	i := a.m.Selected()
	g := a.m.GroupAt(i)
	if r := a.m.RowAt(i); r != nil {
		g = &model.Group{Kind: model.GroupPage, PageID: a.m.PageOf(r)}
		if g.PageID == 0 {
			bg := model.BackgroundGroup(r)
			g = &bg
		}
	}
	if g == nil {
		return scope{}, false
	}
	sid := a.session.ID
	if g.Kind == model.GroupPage || g.Kind == model.GroupFrame {
		id := a.m.TopPage(g.PageID)
		return scope{file: fmt.Sprintf("glassbox-s%d-page-%d", sid, id), what: fmt.Sprintf("page load #%d", id), pageID: id}, true
	}
	sc := scope{file: fmt.Sprintf("glassbox-s%d-%s", sid, fileSafe(g.Key)), what: g.Key, flows: []int64{}}
	for _, r := range a.m.GroupRows(g) {
		sc.flows = append(sc.flows, r.ID)
	}
	return sc, true
}

func (a *app) sessionScope() scope {
	return scope{file: fmt.Sprintf("glassbox-s%d", a.session.ID), what: fmt.Sprintf("session %d", a.session.ID)}
}

func (a *app) exportGroup(*tcell.EventKey) {
	if sc, ok := a.groupScope(); ok {
		a.export(sc, export.FormatHAR)
	}
}

func (a *app) exportSession(*tcell.EventKey) { a.export(a.sessionScope(), export.FormatHAR) }

func (a *app) reportGroup(*tcell.EventKey) {
	if sc, ok := a.groupScope(); ok {
		a.export(sc, export.FormatHTML)
	}
}

func (a *app) reportSession(*tcell.EventKey) { a.export(a.sessionScope(), export.FormatHTML) }

// export writes a scope as HAR (redacted, as glassbox export does by
// default) or as the HTML report, in the background.
func (a *app) export(sc scope, format export.Format) {
	if a.load.export {
		a.setMsg(render.WarnText, "an export is still running")
		return
	}
	if a.session.ID == 0 {
		return
	}
	a.load.export = true
	dir, name := a.exportTo, sc.file
	opt := export.Options{Format: format, SessionID: a.session.ID, PageID: sc.pageID, Flows: sc.flows,
		Filter: a.m.Filter(), Version: a.opts.Version}
	what := sc.what
	if !opt.Filter.Empty() {
		what += " (filter: " + opt.Filter.String() + ")"
	}
	a.setMsg(render.Dim, "exporting "+what+"…")
	a.goBackground(func() func(*app) {
		path, res, err := export.WriteNew(a.ctx, a.opts.Reader, dir, name, string(format), opt)
		return func(a *app) {
			a.load.export = false
			if err != nil {
				a.setMsg(render.ErrorText, "export failed: "+err.Error())
				return
			}
			kind := "HAR, cookies and credentials redacted"
			if format == export.FormatHTML {
				kind = "HTML report"
			}
			a.setMsg(render.GoodText, fmt.Sprintf("wrote %s (%s, %s) to\n%s", what, explain.Plural(res.Flows, "flow"), kind, path))
		}
	})
}

func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

func (a *app) copyCurl(*tcell.EventKey)        { a.curl(true) }
func (a *app) copyCurlSecrets(*tcell.EventKey) { a.curl(false) }

// curl writes the selected flow as a curl script to a file (what
// `glassbox export --format curl --flow N` writes) and offers the command
// to the terminal's clipboard (OSC 52; tcell sends it only where the
// terminal declares support).
func (a *app) curl(redact bool) {
	r := a.m.RowAt(a.m.Selected())
	if r == nil {
		a.setMsg(render.WarnText, "select a flow to copy it as curl")
		return
	}
	sid, id := a.session.ID, r.ID
	dir, name := a.exportTo, fmt.Sprintf("glassbox-s%d-flow-%d", sid, id)
	opt := export.Options{Format: export.FormatCurl, SessionID: sid, Flows: []int64{id}, NoRedact: !redact, Version: a.opts.Version}
	a.load.export = true
	a.goBackground(func() func(*app) {
		f, err := a.opts.Reader.Flow(a.ctx, sid, id)
		var cmd, path string
		if err == nil && f.Kind == store.KindTunnel {
			err = fmt.Errorf("#%d is a tunnel: glassbox never saw a request inside it to repeat", id)
		}
		if err == nil {
			cmd = export.Curl(&f, redact)
			path, _, err = export.WriteNew(a.ctx, a.opts.Reader, dir, name, "sh", opt)
		}
		return func(a *app) {
			a.load.export = false
			if err != nil {
				a.setMsg(render.ErrorText, "curl: "+err.Error())
				return
			}
			a.screen.SetClipboard([]byte(cmd))
			note := "credentials redacted; C keeps them"
			if !redact {
				note = "with credentials: keep the file private"
			}
			a.setMsg(render.GoodText, fmt.Sprintf("curl for #%d (%s; sent to the clipboard if the terminal allows) written to\n%s", id, note, path))
		}
	})
}

// The session picker.

func (a *app) openSessions(*tcell.EventKey) {
	a.openOverlay(overlaySessions)
	a.readSessions()
}

func (a *app) readSessions() {
	a.load.session = true
	a.goBackground(func() func(*app) {
		list, err := a.opts.Reader.Sessions(a.ctx)
		return func(a *app) {
			a.load.session = false
			if err != nil {
				a.setMsg(render.ErrorText, "cannot list sessions: "+err.Error())
				return
			}
			a.sessions = list
			for i, s := range list {
				if s.ID == a.session.ID {
					a.ovSel = i
				}
			}
		}
	})
}

func (a *app) pickedSession() *store.Session {
	if a.ovSel < 0 || a.ovSel >= len(a.sessions) {
		return nil
	}
	return &a.sessions[a.ovSel]
}

func (a *app) pickSession(*tcell.EventKey) {
	s := a.pickedSession()
	if s == nil {
		return
	}
	a.overlay = overlayNone
	if s.ID != a.session.ID {
		a.openSession(s.ID)
		a.setMsg(render.Dim, fmt.Sprintf("session %d", s.ID))
	}
}

func (a *app) deleteSession(*tcell.EventKey) {
	s := a.pickedSession()
	switch {
	case s == nil:
		return
	case a.opts.Deleter == nil:
		a.setMsg(render.WarnText, "this database is open read-only: deleting is not possible here")
		return
	case a.opts.Live && s.ID == a.liveID:
		a.setMsg(render.WarnText, fmt.Sprintf("session %d is being recorded now: it cannot be deleted while glassbox runs", s.ID))
		return
	}
	id := s.ID
	q := fmt.Sprintf("Delete session %d (%s, %s)? This cannot be undone.", id, explain.Plural(int(s.Flows), "flow"), explain.Plural(int(s.Pages), "page"))
	if s.Ended.IsZero() {
		q = fmt.Sprintf("Session %d has no end: if another glassbox is still recording it, that recording breaks. Delete it?", id)
	}
	a.ask(q, func(a *app) { a.doDelete(id) })
}

func (a *app) doDelete(id int64) {
	a.load.session = true
	a.goBackground(func() func(*app) {
		err := a.opts.Deleter.DeleteSession(context.WithoutCancel(a.ctx), id)
		return func(a *app) {
			a.load.session = false
			if err != nil {
				a.setMsg(render.ErrorText, "delete failed: "+err.Error())
				return
			}
			a.setMsg(render.GoodText, fmt.Sprintf("deleted session %d", id))
			if id == a.session.ID {
				a.overlay = overlayNone
				a.openSession(0)
				return
			}
			a.readSessions()
		}
	})
}
