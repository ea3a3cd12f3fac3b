package diagnose

import (
	"fmt"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// The words every view of a diagnosis shares (the inspector's Story, the
// reports), so they say the same thing.

// Headline is the diagnosis in a sentence: how long, and the first
// finding or the path's heaviest step.
func (d Diagnosis) Headline() string {
	if len(d.CriticalPath) == 0 {
		return "Nothing to diagnose: no request of this page load ended."
	}
	var out string
	if len(d.CriticalPath) > 1 {
		out = fmt.Sprintf("The load took %s: %s waited on one another, and the page paid for %s", dur(d.Span),
			plural(len(d.CriticalPath), "request"), plural(d.RoundTrips.Total, "network round trip"))
	} else {
		out = fmt.Sprintf("The load took %s and paid for %s", dur(d.Span), plural(d.RoundTrips.Total, "network round trip"))
	}
	switch len(d.Findings) {
	case 0:
		return out + ". glassbox found nothing to fix in what it recorded."
	case 1:
		return out + ". One thing would make it faster:"
	}
	return out + fmt.Sprintf(". %d things would make it faster:", len(d.Findings))
}

// Because says how the step before caused a step of the critical path.
func (s Step) Because() string {
	switch {
	case s.Via == store.InitNavigation:
		return "the navigation"
	case s.After == 0:
		return "the first request of the load"
	case s.Via == store.InitRedirect:
		return fmt.Sprintf("the redirect of #%d", s.After)
	case s.Via == store.InitParser:
		return fmt.Sprintf("named by the HTML of #%d", s.After)
	case s.Via == store.InitStylesheet:
		return fmt.Sprintf("named by the stylesheet #%d", s.After)
	case s.Via == store.InitScript:
		return fmt.Sprintf("asked for by a script, probably #%d: a script's request does not say which script", s.After)
	}
	return fmt.Sprintf("started after #%d ended; the record does not say what asked for it", s.After)
}

// Line is a step of the critical path in one line, without its URL.
func (s Step) Line() string {
	out := fmt.Sprintf("#%d %3.0f%%  %s", s.FlowID, s.Share*100, dur(s.Dur))
	if s.Gap >= time.Millisecond {
		out += fmt.Sprintf(" after %s of the browser's work", dur(s.Gap))
	}
	if p, ok := store.Phase(s.Phase); ok {
		out += ", mostly " + p.Label
	}
	return out
}

// String counts the round trips by what paid for them.
func (r RoundTrips) String() string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{r.DNS, "DNS"}, {r.TCP, "TCP"}, {r.TLS, "TLS"}, {r.Requests, "request"}} {
		switch {
		case p.n > 0 && p.what == "request":
			parts = append(parts, plural(p.n, p.what))
		case p.n > 0:
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d (%s)", r.Total, strings.Join(parts, ", "))
}

// NumbersText is a finding's numbers in one line.
func (f Finding) NumbersText() string {
	parts := make([]string, 0, len(f.Numbers))
	for _, n := range f.Numbers {
		parts = append(parts, n.Name+": "+n.Value)
	}
	return strings.Join(parts, " · ")
}

// FlowsText names a finding's flows: "#3, #5, #9".
func (f Finding) FlowsText() string {
	parts := make([]string, 0, len(f.FlowIDs))
	for _, id := range f.FlowIDs {
		parts = append(parts, fmt.Sprintf("#%d", id))
	}
	return strings.Join(parts, ", ")
}

// Dur writes a duration as the diagnosis does.
func Dur(d time.Duration) string { return dur(d) }
