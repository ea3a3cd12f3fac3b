package render

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/diagnose"
)

// storyTab tells one flow: the notes on it, its own steps with its own
// numbers, and the steps of its page's story it takes part in.
func storyTab(d FlowDetail, w int) []Line {
	out := flowTitle(d.Flow, w)
	if notes := flowNotes(d); len(notes) > 0 {
		out = append(out, L(S(Title, "Notes")))
		for _, n := range notes {
			out = append(out, Wrap(n, w, "  • ", "    ", Normal)...)
		}
		out = append(out, Blank)
	}
	out = append(out, L(S(Title, "This request, step by step")))
	out = append(out, storySteps(explain.FlowStory(d.Flow, d.Conn, d.Lookup), w)...)
	if d.Flow.Error != nil {
		out = append(out, problemLines(d.Flow.Error, w)...)
	}
	if d.Page != nil && d.Page.Group.Page.FlowID == d.Flow.ID {
		out = append(out, Blank)
		out = append(out, Wrap("This request opened its page load: select the page's line in the list for the whole story of the page.", w, "", "", Dim)...)
	} else if d.Page != nil && d.Page.Flows != nil {
		var mine []explain.Step
		for _, st := range pageSteps(*d.Page) {
			if slices.Contains(st.Flows, d.Flow.ID) {
				mine = append(mine, st)
			}
		}
		if len(mine) > 0 {
			out = append(out, section("In the story of its page load")...)
			out = append(out, storySteps(mine, w)...)
		}
	}
	return out
}

// storySteps draws explain's numbered steps; their text marks list items
// with "- " and sub-items with "  - ".
func storySteps(ss []explain.Step, w int) []Line {
	var out []Line
	for _, s := range ss {
		out = append(out, L(S(Bold, fmt.Sprintf("%2d. %s", s.N, s.Title))))
		for _, line := range strings.Split(s.Text, "\n") {
			switch {
			case strings.HasPrefix(line, "  - "):
				out = append(out, Wrap(line[4:], w, "        ◦ ", "          ", Normal)...)
			case strings.HasPrefix(line, "- "):
				out = append(out, Wrap(line[2:], w, "      • ", "        ", Normal)...)
			default:
				out = append(out, Wrap(line, w, "    ", "    ", Normal)...)
			}
		}
	}
	return out
}

func problemLines(e *store.FlowError, w int) []Line {
	p := problem(e)
	out := section("What went wrong: " + p.Title)
	for _, part := range []struct{ label, text string }{{"What", p.What}, {"Why", p.Why}, {"Try", p.Fix}, {"Ref", p.Ref}} {
		if part.text != "" {
			out = append(out, Wrap(part.label+": "+part.text, w, "  ", "    ", Normal)...)
		}
	}
	if e.Message != "" {
		out = append(out, Wrap("Go said: "+e.Message, w, "  ", "    ", Dim)...)
	}
	return out
}

// PageDetail is what a page load's tabs show: the group and its flows'
// summaries (for the waterfall), and, once read, its flows with headers and
// the session's connections and lookups (for the story).
type PageDetail struct {
	Group *model.Group
	Rows  []*model.Row
	Flows []store.Flow // nil until read
	// ReadErr is why Flows could not be read, nil while they are read.
	ReadErr  error
	Conns    map[int64]*store.Conn
	Lookups  map[int64]*store.Lookup
	Selected int64 // a flow to mark in the waterfall
	// Network is the session's shaping (store.Session.Network), "" for none.
	Network string
	// Diagnosis is why the page load took its time; nil until read.
	Diagnosis *diagnose.Diagnosis
	// FindingKeys names the keys that walk the findings' flows ("] [").
	FindingKeys string
	// Window, when its N is above 0, is the part of the waterfall that
	// will be shown (line indexes From to From+N): the other rows are
	// left as empty lines, their number kept, so a group of 100,000 flows
	// costs a screenful to lay out (it cost 350 ms, on the UI goroutine,
	// at every flow that arrived).
	Window Window
}

// Window is a range of line indexes.
type Window struct{ From, N int }

// has reports whether line i is inside the window (any line when it is
// empty).
func (w Window) has(i int) bool { return w.N <= 0 || (i >= w.From && i < w.From+w.N) }

// PageTab returns the lines of one tab of a page load.
func PageTab(th *Theme, tab int, d PageDetail, w int) []Line {
	if PageTabs[tab%len(PageTabs)] == "Waterfall" {
		return Waterfall(th, d, w)
	}
	return pageStory(d, w)
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// pathQuery is what a request line carries: the path and the query.
func pathQuery(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.RequestURI()
	}
	return raw
}
