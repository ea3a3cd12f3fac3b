package render

import (
	"strconv"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
)

// What made a request happen, as the list's column and the Request tab
// show it. The sentences are inspector/explain's; the column's words are
// labels.

// initWords are an initiator type's words in the column: as it reads
// best, and short.
var initWords = map[string][2]string{
	store.InitNavigation: {"nav", "nav"},
	store.InitRedirect:   {"↪", "↪"},
	store.InitParser:     {"html", "html"},
	store.InitStylesheet: {"css", "css"},
	store.InitScript:     {"script", "js"},
	store.InitPreflight:  {"preflight", "cors"},
	store.InitBrowser:    {"browser", "browser"},
	store.InitClient:     {"client", "client"},
	store.InitUnknown:    {"unknown", "unknown"},
}

// initHeader is the column's title in n cells.
func initHeader(n int) string {
	if n >= len("INITIATOR") {
		return "INITIATOR"
	}
	return "INIT"
}

// initLabel is a flow's initiator in n cells: a word and the flow that
// caused it ("html #1", "↪ #2", "script"), "?" at the end when glassbox
// decided by time or origin alone; a line that stands for a folded
// redirect chain says how many hops it hides instead.
func initLabel(r *model.Row, hops, n int) string {
	if n <= 0 {
		return ""
	}
	if hops > 0 {
		return foldedLabel(hops, n)
	}
	words, ok := initWords[r.Init]
	if !ok {
		return Fit(r.Init, n)
	}
	mark, ref := "", ""
	if r.InitHeuristic && r.Init != store.InitUnknown {
		mark = "?"
	}
	if r.InitFlow != 0 {
		ref = "#" + strconv.FormatInt(r.InitFlow, 10)
	}
	tries := []string{words[0] + mark, words[1] + mark}
	if ref != "" {
		tries = []string{words[0] + " " + ref + mark, words[1] + " " + ref + mark, words[1] + ref + mark, ref + mark}
	}
	for _, s := range tries {
		if Width(s) <= n {
			return s
		}
	}
	return Fit(tries[len(tries)-1], n)
}

// foldedLabel says how many hops of a redirect chain a line hides, in n
// cells (0: as short as it goes).
func foldedLabel(hops, n int) string {
	word := " hops"
	if hops == 1 {
		word = " hop"
	}
	h := strconv.Itoa(hops)
	for _, s := range []string{"↪ " + h + word, "↪" + h + word} {
		if n > 0 && Width(s) <= n {
			return s
		}
	}
	return "↪" + h
}

// causeLines are the Request tab's first section: what made the request
// happen, where it sits in its redirect chain, and the key that goes to
// the flow that caused it. Nothing when the capture records neither.
func causeLines(d FlowDetail, w int) []Line {
	f := d.Flow
	why := explain.Initiator(f.Initiator)
	var hop string
	if k := indexOf(d.Chain, f.ID); k >= 0 {
		hop = explain.RedirectHop(k+1, len(d.Chain), d.Chain[0], d.Chain[len(d.Chain)-1])
	}
	if why == "" && hop == "" {
		return nil
	}
	out := []Line{L(S(Title, "Initiator"))}
	if why != "" {
		out = append(out, Wrap(why, w, "  ", "  ", Normal)...)
	}
	if hop != "" {
		out = append(out, Wrap(hop, w, "  ", "  ", Normal)...)
	}
	if id := f.Initiator.FlowID; id != 0 && d.JumpKey != "" {
		out = append(out, L(S(Dim, "  "+d.JumpKey+" goes to #"+strconv.FormatInt(id, 10))))
	}
	return append(out, Blank)
}

func indexOf(ids []int64, id int64) int {
	for i, v := range ids {
		if v == id {
			return i
		}
	}
	return -1
}
