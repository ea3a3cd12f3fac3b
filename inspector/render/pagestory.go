package render

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
)

// pageStory tells a page load as inspector/explain's numbered story, then
// lists its problems and its slowest requests.
func pageStory(d PageDetail, w int) []Line {
	g := d.Group
	out := pageTitle(g, w)
	if s := explain.Shaped(d.Network); s != "" {
		out = append(append(out, Wrap(s, w, "", "", WarnText)...), Blank)
	}
	switch g.Kind {
	case model.GroupUnattributed, model.GroupBrowser, model.GroupClient:
		out = append(out, Wrap(explain.Background(backgroundInit[g.Kind]), w, "", "", Normal)...)
		return append(out, resourceLines(d, w)...)
	case model.GroupHost, model.GroupDir:
		return append(out, resourceLines(d, w)...)
	}
	out = append(out, diagnosisLines(d, w)...)
	out = append(out, L(S(Title, "What happened, step by step")))
	if d.ReadErr != nil {
		out = append(out, Wrap("cannot read the page's requests: "+d.ReadErr.Error(), w, "  ", "  ", ErrorText)...)
	} else if d.Flows == nil {
		out = append(out, L(S(Dim, "  reading the page's requests…")))
	} else {
		out = append(out, storySteps(pageSteps(d), w)...)
	}
	return append(out, resourceLines(d, w)...)
}

// backgroundInit is the initiator type a background group gathers.
var backgroundInit = map[model.GroupKind]string{model.GroupBrowser: store.InitBrowser, model.GroupClient: store.InitClient}

func pageTitle(g *model.Group, w int) []Line {
	title, sub := groupTitle(g)
	out := []Line{L(S(Bold, Fit(title, w)))}
	if sub != "" {
		out = append(out, L(S(Dim, Fit(sub, w))))
	}
	meta := []string{explain.Plural(g.Total, "request"), Bytes(g.Bytes)}
	if g.PageID > 0 {
		meta = append([]string{fmt.Sprintf("page #%d", g.PageID)}, meta...)
	}
	if !g.Start.IsZero() {
		meta = append(meta, "started "+g.Start.Local().Format("15:04:05.000"), "settled after "+Dur(g.Span()))
	}
	return append(out, L(S(Dim, strings.Join(meta, " · "))), Blank)
}

// resourceLines lists the failures and the slowest requests of a group.
func resourceLines(d PageDetail, w int) []Line {
	var bad, all []*model.Row
	for _, r := range d.Rows {
		all = append(all, r)
		if r.Failed() || r.Status >= 400 {
			bad = append(bad, r)
		}
	}
	var out []Line
	if len(bad) > 0 {
		out = append(out, section("Problems")...)
		for _, r := range bad[:min(len(bad), 8)] {
			out = append(out, rowLine(r, w))
		}
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].Dur > all[b].Dur })
	if len(all) > 1 {
		out = append(out, section("Slowest")...)
		for _, r := range all[:min(len(all), 5)] {
			out = append(out, rowLine(r, w))
		}
	}
	return out
}

func rowLine(r *model.Row, w int) Line {
	st := statusText(r)
	return L(S(Dim, "  "), S(StatusRole(r.Status, r.Failed()), PadRight(st, 4)), S(Normal, PadLeft(Dur(r.Dur), 9)+"  "),
		S(Normal, Fit(r.Method+" "+r.URL, w-17)))
}

// axisStep picks a tick interval of 1, 2 or 5 times a power of ten so that
// ticks are at least minCells apart.
func axisStep(span time.Duration, cells, minCells int) time.Duration {
	if cells <= 0 || span <= 0 {
		return time.Millisecond
	}
	perCell := float64(span) / float64(cells)
	want := perCell * float64(minCells)
	step := time.Microsecond
	for {
		for _, m := range []time.Duration{1, 2, 5} {
			if float64(step*m) >= want {
				return step * m
			}
		}
		step *= 10
	}
}
