package render

import (
	"fmt"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

// diagnosisLines open a page load's Story: why it took its time
// (store/diagnose), its findings first, each with the flows it is about,
// then the critical path, the time by phase and the round trips.
func diagnosisLines(d PageDetail, w int) []Line {
	dg := d.Diagnosis
	if dg == nil || len(dg.CriticalPath) == 0 {
		return nil
	}
	out := []Line{L(S(Title, "Why this page took its time"))}
	out = append(out, Wrap(dg.Headline(), w, "", "", Normal)...)
	for i, f := range dg.Findings {
		out = append(out, Wrap(f.Title, w, fmt.Sprintf("%2d. ", i+1), "    ", WarnText)...)
		out = append(out, Wrap(fmt.Sprintf("%s · flows %s · %s", f.Kind, f.FlowsText(), f.NumbersText()), w, "    ", "    ", Dim)...)
		out = append(out, Wrap("evidence: "+f.Evidence, w, "    ", "      ", Dim)...)
		out = append(out, Wrap("fix: "+f.Fix, w, "    ", "      ", Normal)...)
	}
	if len(dg.Findings) > 0 && d.FindingKeys != "" {
		out = append(out, L(S(Dim, Fit(d.FindingKeys+" go to each finding's flows, one after another", w))))
	}
	out = append(out, Blank, L(S(Title, "The critical path: each request waited for the one before")))
	for _, s := range dg.CriticalPath {
		out = append(out, Wrap(s.Line()+" "+s.URL, w, "  ", "      ", Normal)...)
		out = append(out, Wrap(s.Because(), w, "      ", "      ", Dim)...)
	}
	out = append(out, Blank, L(S(Title, "Where the time went, over every request")))
	for _, p := range dg.ByPhase {
		if p.Total <= 0 {
			continue
		}
		info, _ := store.Phase(p.Phase)
		out = append(out, L(S(Dim, "  "), S(Normal, PadRight(info.Label, 9)), S(Normal, PadLeft(explain.FormatDuration(p.Total), 9)),
			S(Dim, Fit("  "+explain.Plural(p.Flows, "request"), w-20))))
	}
	out = append(out, Wrap("network round trips: "+dg.RoundTrips.String(), w, "  ", "  ", Normal)...)
	return append(out, Blank)
}
