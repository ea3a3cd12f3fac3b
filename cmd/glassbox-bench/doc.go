package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
)

// The hand-written part of docs/BENCHMARKS.md lives between these markers
// and survives every rewrite.
const (
	notesBegin = "<!-- notes:begin -->"
	notesEnd   = "<!-- notes:end -->"
)

const defaultNotes = notesBegin + `
_Hand-written notes go here (what a profile shows where a target is missed, what it would take).
The harness keeps this section when it rewrites the file._
` + notesEnd

// machine describes where the numbers come from.
type machine struct {
	CPU      string
	Cores    int
	MemGiB   float64
	Kernel   string
	Go       string
	Mitmdump string // "" when not installed
}

func describeMachine(mitmdumpVersion string) machine {
	m := machine{CPU: "unknown", Cores: runtime.NumCPU(), Kernel: "unknown", Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH, Mitmdump: mitmdumpVersion}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kib, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
				m.MemGiB = kib / (1 << 20)
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = runtime.GOOS + " " + strings.TrimSpace(string(b))
	}
	return m
}

// writeDoc rewrites path with this run's results, keeping the notes
// section of the file it replaces.
func writeDoc(path string, r *results, m machine, command string) error {
	notes := defaultNotes
	if old, err := os.ReadFile(path); err == nil {
		if i := bytes.Index(old, []byte(notesBegin)); i >= 0 {
			if j := bytes.Index(old[i:], []byte(notesEnd)); j >= 0 {
				notes = string(old[i : i+j+len(notesEnd)])
			}
		}
	} else if !os.IsNotExist(err) {
		return err
	}
	var b bytes.Buffer
	r.markdown(&b, m, command, notes)
	tmp, err := os.CreateTemp(filepath.Dir(path), ".BENCHMARKS-*.md")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (r *results) markdown(w io.Writer, m machine, command, notes string) {
	fmt.Fprintf(w, `# Benchmarks

<!-- Written by cmd/glassbox-bench (make bench). Everything outside the notes
section is replaced on every run; edit only between the notes markers. -->

glassbox against no proxy, a bare goproxy forwarder (cmd/bareproxy) and mitmdump, on loopback,
in one run. Targets and method: issue 7 (https-32's CPU per request: issue 20).

- **Date:** %s (run took %s)
- **Command:** `+"`%s`"+` (`+"`make bench`"+` runs the Go micro-benchmarks, then this)
- **Machine:** %s, %d cores, %.1f GiB memory, %s
- **Go:** %s
- **mitmdump:** %s
- **Method:** %s; each round runs every scenario against every proxy, interleaved (the
  proxy that goes first rotates each round). Each cell (round × scenario × proxy) starts a fresh
  proxy process, and glassbox a fresh database, so no cell inherits another's queue or memory.
  Each timed scenario runs %s after a %s warm-up on the same connections; the 200 MiB download
  runs once per round. Values are medians across rounds, with the spread (min–max) in
  parentheses.

## Results

`,
		r.Start.Format("2006-01-02 15:04 MST"), r.End.Sub(r.Start).Round(time.Second), command,
		m.CPU, m.Cores, m.MemGiB, m.Kernel, m.Go, mitmdumpDesc(m.Mitmdump),
		explain.Plural(r.Cfg.Rounds, "round"), r.Cfg.Duration, r.Cfg.Warmup)
	r.mainTable().markdown(w)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Scenarios:")
	fmt.Fprintln(w)
	for _, sc := range r.Cfg.Scenarios {
		fmt.Fprintf(w, "- `%s`: %s\n", sc.Name, sc.Desc)
	}
	fmt.Fprintln(w)
	if rt, v := r.ratioTable(); len(rt.Rows) > 0 {
		fmt.Fprintf(w, "## glassbox against the baselines\n\nMedians of the round-by-round ratios (their spread in parentheses); %d of %d targets met.\n\n", v.Met, v.Total)
		rt.markdown(w)
		fmt.Fprintln(w)
	}
	if r.Flows != nil {
		fmt.Fprintf(w, "**Zero flows dropped:** %s\n\n", r.Flows.line())
		for _, p := range r.Flows.Problems {
			fmt.Fprintf(w, "- ✗ %s\n", strings.SplitN(p, "\n", 2)[0])
		}
		fmt.Fprintf(w, "%s.\n\n", upperFirst(r.Flows.shedLine()))
		if l := r.Flows.lagLine(); l != "" {
			fmt.Fprintf(w, "Storing: %s.\n\n", l)
		}
	}
	if r.Floor != nil {
		fmt.Fprintf(w, "**Against the floor:** %s.\n\n", r.Floor.line(r.Cells))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "Note: %s\n\n", n)
	}
	fmt.Fprint(w, howToRead)
	fmt.Fprintf(w, "\n## Notes\n\n%s\n", notes)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func mitmdumpDesc(v string) string {
	if v == "" {
		return "not installed (its column is empty)"
	}
	return v + " (Debian package `mitmproxy`), run as `mitmdump -q` with default options except `stream_large_bodies=" + mitmdumpStreamLarge + "` (see its notes)"
}

const howToRead = `## How to read this

Everything runs on one machine: the origin, the load generator (a Go http.Client per
connection, in the harness's process) and the proxy share its cores, so requests/s measures the
whole loop and moves with whatever else the machine does. **CPU µs/req** is the steadier
number: the proxy process's own user + system time (/proc/PID/stat utime + stime, in clock ticks
of 10 ms: CLK_TCK is 100 on Linux) over the measured phase, divided by the requests completed in
it. For glassbox the phase ends only once its database holds every request sent so far, so
storing is part of its cost (the harness waits for that, up to 2 minutes, after the warm-up and
after the measured phase; requests/s and latencies are the client's and do not include that
wait). **Peak RSS** is the proxy's VmHWM, reset (clear_refs) before the warm-up and read after the
phase. **origin conns** is how many connections the origin accepted during the cell (warm-up
included, median across rounds): few means the proxy reuses its upstream connections.
` + "`none`" + ` is the client talking to the origin directly (no proxy process, so no CPU
or RSS). ` + "`bare`" + ` is cmd/bareproxy: goproxy with its own CA, a leaf cache and a tuned
Transport, recording nothing, so glassbox/bare is the price of recording. Like glassbox it keeps a
client's ` + "`Connection: close`" + ` on the client's hop (RFC 9110 §7.6.1) instead of closing the shared
upstream connection, and, like glassbox, it reaches the origin in the client's version of HTTP
(HTTP/1.1 for the load generators here, which speak it to the proxy; HTTP/2 for a client that
speaks HTTP/2). It runs with Go's default collector settings (glassbox sets GOGC=400).
glassbox runs as ` + "`glassbox proxy`" + ` with its defaults (bodies stored up to 1 MiB, one log line
per flow on stderr); the **bodies** line says whether it stored every response body or skipped
some copies because bodies came faster than the store took them (the flows are kept either way).
**Against the floor** is what the machine can store, measured before the rounds in the directory
the databases go to: 256 MiB written sequentially in 1 MiB writes and synced, and 256 blobs of
1 MiB inserted 8 per transaction into a SQLite database with glassbox's settings (WAL,
synchronous NORMAL, 16 KiB pages), checkpoints included. glassbox's stored MiB/s on large-4 is
its forwarded MiB/s times the share of the forwarded body bytes it kept (warm-up included).
Latencies are the client's, from sending the request to reading the last body byte. A ratio is
the median, over the rounds, of glassbox's value in a round over the other proxy's in the same
round, with the spread of those ratios in parentheses; ✓/✗ compare that median with the target of
issue 7 (or 20). Each round measures a scenario's proxies one right after the other, so the
machine's drift over a run (tens of percent within minutes on this kind of virtual machine)
weighs alike on the two values of a round's ratio, where a ratio of the medians above could take
its two values from different rounds (divide the medians for that one).
When the spread is wider than the difference between two proxies, the difference is noise.
`
