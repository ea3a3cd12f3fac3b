package export

import (
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// phase is one coloured part of a waterfall bar.
type phase struct {
	Name string // blocked, dns, connect, ssl, send, wait, receive
	D    time.Duration
}

// bar is one flow on the page's time axis.
type bar struct {
	Flow   *store.Flow
	Offset time.Duration // from the page's start
	Phases []phase
	Total  time.Duration
}

// bars lays out a page's flows on one time axis and returns them with the
// axis length.
func (pr *pageReport) bars() ([]bar, time.Duration) {
	span := pr.Settled.Sub(pr.Start)
	out := make([]bar, 0, len(pr.Flows))
	for i := range pr.Flows {
		f := &pr.Flows[i]
		t := store.ComputeTimings(f, pr.Conns[f.ConnID])
		b := bar{Flow: f, Offset: max(f.Start.Sub(pr.Start), 0)}
		add := func(name string, d time.Duration) {
			if d > 0 {
				b.Phases = append(b.Phases, phase{name, d})
				b.Total += d
			}
		}
		add("blocked", t.Blocked)
		add("dns", t.DNS)
		if t.Connect > 0 {
			add("connect", t.Connect-max(t.SSL, 0))
		}
		add("ssl", t.SSL)
		add("send", t.Send)
		add("wait", t.Wait)
		add("receive", t.Receive)
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
			row[pos] = phaseChar[p.Name]
		}
	}
	if pos == start { // shorter than one column
		c := byte('#')
		if len(b.Phases) > 0 {
			c = phaseChar[b.Phases[len(b.Phases)-1].Name]
		}
		row[start] = c
	}
	return strings.TrimRight(string(row), " ")
}
