package render

import (
	"fmt"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

// timingTab shows a flow's phases as bars on the flow's own time axis,
// each with its duration and what it is, then the connection it used and
// the raw timestamps.
func timingTab(th *Theme, d FlowDetail, w int) []Line {
	f := d.Flow
	out := flowTitle(f, w)
	if s := explain.Shaped(d.Network); s != "" {
		out = append(append(out, Wrap(s, w, "", "", WarnText)...), Blank)
	}
	out = append(out, L(S(Title, "Where the time went")))
	t := store.ComputeTimings(f, d.Conn)
	total := t.Total()
	const nameW, durW = 9, 10
	barW := min(max((w-nameW-durW-6)*55/100, 10), 50)
	scale := (total + time.Duration(barW) - 1) / time.Duration(max(barW, 1))
	at := f.Start
	var meanings []Line
	for _, p := range store.TimingPhases {
		dv := t.Of(p.Name)
		val := Dur(dv)
		if dv < 0 {
			val = "-"
		}
		l := L(S(Normal, "  "+PadRight(p.Label, nameW)), S(Bold, PadLeft(val, durW)+"  "))
		if dv > 0 && scale > 0 {
			l = append(l, barSpans(th, []store.PhaseSpan{{Phase: p.Name, Start: at, Dur: dv}}, f.Start, scale, barW)...)
			at = at.Add(dv)
		} else {
			l = append(l, S(Normal, PadRight("", barW)))
		}
		title, meaning := phaseWords(p.Name)
		out = append(out, append(l, S(Dim, "  "+Fit(title, max(w-nameW-durW-barW-6, 0)))))
		if dv >= 0 && meaning != "" {
			meanings = append(meanings, Wrap(title+": "+meaning, w, "  ", "    ", Normal)...)
		}
	}
	out = append(out, L(S(Normal, "  "+PadRight("total", nameW)), S(Bold, PadLeft(Dur(total), durW))))
	if dial := max(t.DNS, 0) + max(t.Connect, 0); f.ConnReused || dial <= 0 {
		out = append(out, L(S(Dim, "  - means the phase did not happen for this request")))
	}
	out = append(out, section("Connection")...)
	out = append(out, connSummary(d, w)...)
	out = append(out, section("Timestamps (from the start of the request)")...)
	for _, m := range []struct {
		name string
		t    time.Time
	}{{"start", f.Start}, {"got connection", f.GotConn}, {"request written", f.WroteRequest},
		{"first byte", f.FirstByte}, {"end", f.End}} {
		out = append(out, kv(m.name, 16, S(Normal, offset(m.t, f.Start))))
	}
	if len(meanings) > 0 {
		out = append(out, section("What each phase is")...)
		out = append(out, meanings...)
	}
	return out
}

func connSummary(d FlowDetail, w int) []Line {
	f, c := d.Flow, d.Conn
	why := Wrap(reuseText(f.ConnReused), w, "  ", "  ", Dim)
	switch {
	case f.ConnReused:
		return append([]Line{P(fmt.Sprintf("  reused connection #%d", f.ConnID))}, why...)
	case c == nil && f.ConnID == 0:
		return []Line{P("  no connection: " + noConnReason(f))}
	case c == nil:
		return []Line{P(fmt.Sprintf("  connection #%d (its record is not read yet)", f.ConnID))}
	}
	out := append([]Line{P(fmt.Sprintf("  new connection #%d to %s", c.ID, nonEmpty(c.RemoteAddr, c.Host)))}, why...)
	if d.Lookup != nil {
		out = append(out, P("  DNS: "+lookupSource(d.Lookup)))
	}
	return out
}
