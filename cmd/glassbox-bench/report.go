package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
)

// stat is a metric across rounds.
type stat struct {
	Med, Min, Max float64
	N             int // rounds with a value; 0 means not measured
}

// statOf summarizes vals, skipping negative values (not measured).
func statOf(vals []float64) stat {
	var v []float64
	for _, x := range vals {
		if x >= 0 && !math.IsNaN(x) && !math.IsInf(x, 0) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return stat{}
	}
	slices.Sort(v)
	med := v[len(v)/2]
	if len(v)%2 == 0 {
		med = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return stat{Med: med, Min: v[0], Max: v[len(v)-1], N: len(v)}
}

// summary is one (scenario, proxy) across rounds. Latencies are in ms,
// RSS in MiB, CPU in microseconds per request.
type summary struct {
	RPS, P50, P99, MiBps, RSS, CPU stat
	Conns                          stat // origin connections opened per cell
	Errors                         int64
	FirstErr                       string
}

func (r *results) summarize(scenario, proxy string) (summary, bool) {
	return r.summarizeRound(scenario, proxy, 0)
}

// summarizeRound is summarize over one round's cell (0: every round).
func (r *results) summarizeRound(scenario, proxy string, round int) (summary, bool) {
	var rps, p50, p99, mibps, rss, cpu, conns []float64
	var s summary
	for _, c := range r.Cells {
		if c.Scenario != scenario || c.Target != proxy || (round != 0 && c.Round != round) {
			continue
		}
		rps, mibps, cpu = append(rps, c.RPS), append(mibps, c.MiBps), append(cpu, c.CPUPerReq)
		if c.Measured > 0 {
			p50, p99 = append(p50, ms(c.P50)), append(p99, ms(c.P99))
		}
		rss = append(rss, float64(c.PeakRSSKiB)/1024)
		conns = append(conns, float64(c.OriginConns))
		s.Errors += c.Errors
		if s.FirstErr == "" {
			s.FirstErr = c.FirstErr
		}
	}
	if len(rps) == 0 {
		return s, false
	}
	s.RPS, s.P50, s.P99, s.MiBps, s.RSS, s.CPU = statOf(rps), statOf(p50), statOf(p99), statOf(mibps), statOf(rss), statOf(cpu)
	s.Conns = statOf(conns)
	return s, true
}

// table is rendered both as aligned text and as Markdown.
type table struct {
	Header []string
	Rows   [][]string
}

func (t table) text(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(t.Header, "\t"))
	for _, r := range t.Rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

func (t table) markdown(w io.Writer) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(t.Header, " | "))
	seps := make([]string, len(t.Header))
	for i := range seps {
		seps[i] = "---"
		if i >= 2 {
			seps[i] = "--:"
		}
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
	for _, r := range t.Rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
}

const dash = "—"

// spread formats a stat as "median (min–max)", or just the median after
// one round.
func spread(s stat, f func(float64) string) string {
	if s.N == 0 {
		return dash
	}
	if s.N == 1 || f(s.Min) == f(s.Max) {
		return f(s.Med)
	}
	return fmt.Sprintf("%s (%s–%s)", f(s.Med), f(s.Min), f(s.Max))
}

func fmtInt(v float64) string { return thousands(int64(math.Round(v))) }

func fmtMs(v float64) string {
	switch {
	case v < 1:
		return strconv.FormatFloat(v, 'f', 3, 64)
	case v < 100:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return fmtInt(v)
}

func fmtRate(v float64) string {
	if v < 100 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return fmtInt(v)
}

func fmtMiB(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// mainTable is one row per scenario and proxy.
func (r *results) mainTable() table {
	t := table{Header: []string{"scenario", "proxy", "req/s", "p50 ms", "p99 ms", "MiB/s", "peak RSS MiB", "CPU µs/req", "origin conns", "errors"}}
	for _, sc := range r.Cfg.Scenarios {
		for _, p := range r.Targets {
			s, ok := r.summarize(sc.Name, p)
			if !ok {
				continue
			}
			rps, p99 := spread(s.RPS, fmtInt), spread(s.P99, fmtMs)
			if sc.Once { // one request: its time is the latency, no rate or tail
				rps, p99 = dash, dash
			}
			t.Rows = append(t.Rows, []string{sc.Name, p, rps, spread(s.P50, fmtMs), p99,
				spread(s.MiBps, fmtRate), spread(s.RSS, fmtMiB), spread(s.CPU, fmtInt), valueOf(s.Conns, metric{Fmt: fmtInt}), thousands(s.Errors)})
		}
	}
	return t
}

// metric picks one stat of a summary.
type metric struct {
	Name         string
	Get          func(summary) stat
	Fmt          func(float64) string
	HigherBetter bool
}

var (
	mRPS   = metric{"req/s", func(s summary) stat { return s.RPS }, fmtInt, true}
	mP50   = metric{"p50 ms", func(s summary) stat { return s.P50 }, fmtMs, false}
	mCPU   = metric{"CPU µs/req", func(s summary) stat { return s.CPU }, fmtInt, false}
	mMiBps = metric{"MiB/s", func(s summary) stat { return s.MiBps }, fmtRate, true}
	mRSS   = metric{"peak RSS MiB", func(s summary) stat { return s.RSS }, fmtMiB, false}
)

// bound is a target: glassbox/other ratio Op V ("" Op: no target). Abs
// makes it a bound on glassbox's own value instead.
type bound struct {
	Op   string // ">=", "<=" or "<"
	V    float64
	Abs  bool
	Unit string // of an absolute bound, e.g. " MiB"
}

func (b bound) String() string {
	if b.Op == "" {
		return ""
	}
	op := map[string]string{">=": "≥", "<=": "≤", "<": "<"}[b.Op]
	if b.Abs {
		return fmt.Sprintf("glassbox %s %g%s", op, b.V, b.Unit)
	}
	return fmt.Sprintf("%s %gx", op, b.V)
}

func (b bound) met(v float64) bool {
	switch b.Op {
	case ">=":
		return v >= b.V
	case "<=":
		return v <= b.V
	case "<":
		return v < b.V
	}
	return true
}

// check is one row of the ratio table: the targets of issue 7, and
// https-32's CPU per request of issue 20 (item 3: at most 1.1x bare's).
type check struct {
	Scenario   string
	Metric     metric
	Bare, Mitm bound
}

var checks = []check{
	{"http-1", mP50, bound{Op: "<=", V: 1.3}, bound{}},
	{"http-1", mRPS, bound{}, bound{}},
	{"http-1", mCPU, bound{Op: "<=", V: 1.25}, bound{}},
	{"http-32", mRPS, bound{Op: ">=", V: 0.8}, bound{Op: ">=", V: 10}},
	{"http-32", mCPU, bound{Op: "<=", V: 1.25}, bound{}},
	{"https-32", mRPS, bound{Op: ">=", V: 0.8}, bound{Op: ">=", V: 10}},
	{"https-32", mCPU, bound{Op: "<=", V: 1.1}, bound{}},
	{"http-16-hey", mRPS, bound{Op: ">=", V: 0.8}, bound{Op: ">=", V: 10}},
	{"http-16-hey", mCPU, bound{Op: "<=", V: 1.25}, bound{}},
	{"https-16-hey", mRPS, bound{Op: ">=", V: 0.8}, bound{Op: ">=", V: 10}},
	{"https-16-hey", mCPU, bound{Op: "<=", V: 1.25}, bound{}},
	{"https-newconn", mRPS, bound{Op: ">=", V: 0.8}, bound{Op: ">=", V: 5}},
	{"https-newconn", mCPU, bound{Op: "<=", V: 1.25}, bound{}},
	{"large-4", mMiBps, bound{Op: ">=", V: 0.8}, bound{}},
	{"large-4", mCPU, bound{Op: "<=", V: 1.25}, bound{}},
	{"download-200m", mMiBps, bound{}, bound{}},
	{"download-200m", mCPU, bound{Op: "<=", V: 1.25}, bound{}},
	{"download-200m", mRSS, bound{Op: "<", V: 64, Abs: true, Unit: " MiB"}, bound{}},
}

// verdict counts the targets met.
type verdict struct{ Met, Total int }

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// ratioTable compares glassbox with bare and mitmdump. A ratio is the
// median of the round-by-round ratios (pairedRatios), with their spread:
// each round measures the proxies of a scenario one right after the other,
// so the machine's drift over a run (tens of percent within minutes)
// cancels in each round's ratio, where a ratio of medians may take its
// two medians from different rounds. Targets are judged on that median.
// It is empty when glassbox was not measured.
func (r *results) ratioTable() (table, verdict) {
	t := table{Header: []string{"scenario", "metric", "glassbox", "bare", "mitmdump", "glassbox/bare", "target", "glassbox/mitmdump", "target"}}
	var v verdict
	if !slices.Contains(r.Targets, proxyGlassbox) {
		return table{}, v
	}
	for _, c := range checks {
		gs, ok := r.summarize(c.Scenario, proxyGlassbox)
		if !ok {
			continue
		}
		g := c.Metric.Get(gs)
		row := []string{c.Scenario, c.Metric.Name, valueOf(g, c.Metric)}
		var cols [2][]string
		for i, other := range []struct {
			name string
			b    bound
		}{{proxyBare, c.Bare}, {proxyMitmdump, c.Mitm}} {
			osum, ok := r.summarize(c.Scenario, other.name)
			o := c.Metric.Get(osum)
			if !ok || o.N == 0 {
				o = stat{}
			}
			val, ratio, target := valueOf(o, c.Metric), dash, other.b.String()
			rs := statOf(r.pairedRatios(c.Scenario, c.Metric, other.name))
			if rs.N > 0 {
				ratio = fmtRatioSpread(rs)
			}
			switch {
			case other.b.Op == "":
			case other.b.Abs && g.N > 0:
				ok := other.b.met(g.Med)
				target += " " + mark(ok)
				v.Total++
				if ok {
					v.Met++
				}
			case ratio == dash:
				target += " (not measured)"
			default:
				ok := other.b.met(rs.Med)
				target += " " + mark(ok)
				v.Total++
				if ok {
					v.Met++
				}
			}
			cols[i] = []string{val, ratio, target}
		}
		row = append(row, cols[0][0], cols[1][0], cols[0][1], cols[0][2], cols[1][1], cols[1][2])
		t.Rows = append(t.Rows, row)
	}
	return t, v
}

func fmtRatio(v float64) string {
	if v < 0.1 {
		return fmt.Sprintf("%.3fx", v)
	}
	return fmt.Sprintf("%.2fx", v)
}

// fmtRatioSpread is a median ratio with its spread across rounds.
func fmtRatioSpread(s stat) string {
	if s.N < 2 || fmtRatio(s.Min) == fmtRatio(s.Max) {
		return fmtRatio(s.Med)
	}
	return fmt.Sprintf("%s (%s–%s)", fmtRatio(s.Med), strings.TrimSuffix(fmtRatio(s.Min), "x"), fmtRatio(s.Max))
}

func valueOf(s stat, m metric) string {
	if s.N == 0 {
		return dash
	}
	return m.Fmt(s.Med)
}

// line is the zero-flows-dropped check in one line.
func (f *flowCheck) line() string {
	s := fmt.Sprintf("requests completed through glassbox (warm-ups included): %s; flows stored: %s",
		thousands(f.Sent), thousands(f.Stored))
	if f.Errors > 0 {
		s += fmt.Sprintf("; %s requests failed at the client", thousands(f.Errors))
	}
	return s + " " + mark(f.OK())
}

// shedLine says whether every body copy was stored too. Shedding is
// glassbox's designed answer to bodies arriving faster than the disk takes
// them (the flow is kept, marked truncated), not a loss of requests, but
// it is part of what was measured.
func (f *flowCheck) shedLine() string {
	if f.Shed == 0 {
		return fmt.Sprintf("bodies: every stored flow kept its response body (up to --max-body) %s", mark(true))
	}
	return fmt.Sprintf("bodies: %s flows were stored without their response body, shed because bodies came faster than the store took them (%s)",
		thousands(f.Shed), strings.Join(f.ShedIn, "; "))
}

// lagLine says how far glassbox's storing ran behind the load.
func (f *flowCheck) lagLine() string {
	if f.MaxLag == 0 {
		return ""
	}
	return fmt.Sprintf("longest wait, after a measured phase ended, until glassbox had stored every request: %s (%s)",
		f.MaxLag.Round(time.Millisecond), f.LagCell)
}

// printText writes the results for a terminal.
func (r *results) printText(w io.Writer) {
	fmt.Fprintf(w, "\nglassbox benchmark: %s, %s per scenario after %s warm-up; medians (min–max across rounds)\n\n",
		explain.Plural(r.Cfg.Rounds, "round"), r.Cfg.Duration, r.Cfg.Warmup)
	r.mainTable().text(w)
	if rt, v := r.ratioTable(); len(rt.Rows) > 0 {
		fmt.Fprintf(w, "\nglassbox against the bare goproxy and mitmdump (medians of the round-by-round ratios; targets of issues 7 and 20): %d of %d met\n\n", v.Met, v.Total)
		rt.text(w)
	}
	if slices.Contains(r.Targets, proxyBase) {
		together := ""
		if r.Cfg.Pair {
			together = ", the two measured at the same time in each round (-pair)"
		}
		fmt.Fprintf(w, "\nglassbox against base, glassbox built from %s (-base)%s: judge a change by the median by round\n\n", r.Cfg.Base, together)
		r.baseTable().text(w)
	}
	if r.Flows != nil {
		fmt.Fprintf(w, "\nzero flows dropped: %s\n", r.Flows.line())
		fmt.Fprintln(w, r.Flows.shedLine())
		if l := r.Flows.lagLine(); l != "" {
			fmt.Fprintln(w, l)
		}
	}
	if r.Floor != nil {
		fmt.Fprintf(w, "against the floor: %s\n", r.Floor.line(r.Cells))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}
