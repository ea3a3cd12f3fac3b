package export

import (
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// phase is one coloured part of a waterfall bar.
type phase struct {
	Name string // a timing phase of store.TimingPhases
	D    time.Duration
}

// bar is one flow on the page's time axis.
type bar struct {
	Flow   *store.Flow
	Offset time.Duration // from the page's start
	Phases []phase
	Total  time.Duration
}

// phaseInfo is a phase's entry in the one phase table: its glyph for the
// text waterfall, its colour and title for the SVG.
func phaseInfo(name string) store.PhaseInfo {
	p, _ := store.Phase(name)
	return p
}

// textLegend names each glyph of the text waterfall: "- queued  d DNS ...".
func textLegend() string {
	parts := make([]string, 0, len(store.TimingPhases))
	for _, p := range store.TimingPhases {
		parts = append(parts, string(rune(p.Glyph))+" "+p.Label)
	}
	return strings.Join(parts, "  ")
}

// bars lays out a page's flows on one time axis and returns them with the
// axis length; each bar's phases are store's derivation, as in the
// inspector and HAR.
func (pr *pageReport) bars() ([]bar, time.Duration) {
	span := pr.Settled.Sub(pr.Start)
	out := make([]bar, 0, len(pr.Flows))
	for i := range pr.Flows {
		f := &pr.Flows[i]
		b := bar{Flow: f, Offset: max(f.Start.Sub(pr.Start), 0)}
		for _, p := range store.ComputeTimings(f, store.FlowConn(f, pr.Conns)).Spans(f.Start) {
			b.Phases = append(b.Phases, phase{p.Phase, p.Dur})
			b.Total += p.Dur
		}
		if b.Total == 0 {
			b.Total = f.Duration()
		}
		if end := b.Offset + b.Total; end > span {
			span = end
		}
		out = append(out, b)
	}
	return out, span
}

// textBar draws a bar in width columns of a span-long axis: at least one
// column per flow, so even the quickest request is visible.
func textBar(b bar, span time.Duration, width int) string {
	if span <= 0 {
		span = 1
	}
	col := func(d time.Duration) int { return int(int64(d) * int64(width) / int64(span)) }
	row := []byte(strings.Repeat(" ", width))
	start := min(col(b.Offset), width-1)
	pos := start
	at := b.Offset
	for _, p := range b.Phases {
		at += p.D
		end := min(col(at), width)
		for ; pos < end; pos++ {
			row[pos] = phaseInfo(p.Name).Glyph
		}
	}
	if pos == start { // shorter than one column
		c := byte('#')
		if len(b.Phases) > 0 {
			c = phaseInfo(b.Phases[len(b.Phases)-1].Name).Glyph
		}
		row[start] = c
	}
	return strings.TrimRight(string(row), " ")
}
