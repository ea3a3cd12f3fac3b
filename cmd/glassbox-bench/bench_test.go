package main

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestQuickRun runs the harness as `make bench` would, in quick mode and
// with short phases, against the in-process origin with no proxy and the
// bare goproxy only (glassbox's first build compiles SQLite, and its
// numbers belong to `make bench`). It checks that every row has numbers.
func TestQuickRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	args := []string{"-quick", "-proxies", "none,bare", "-duration", "300ms", "-warmup", "100ms"}
	_, heyErr := exec.LookPath("hey")
	if heyErr != nil {
		// Not installed here: the hey scenarios are left out with a note
		// (a path, so the bench does not install it as root would).
		args = append(args, "-hey", "/nonexistent/hey")
	}
	if code := run(ctx, args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(stdout.String(), "\n") {
		f := strings.Fields(line)
		if len(f) == 10 && (f[1] == proxyNone || f[1] == proxyBare) {
			rows[f[0]+"/"+f[1]] = f
		}
	}
	if heyErr != nil && !strings.Contains(stdout.String(), "the scenarios with hey as the client were left out") {
		t.Errorf("without hey, no note says its scenarios were left out:\n%s", stdout.String())
	}
	for _, sc := range scenarios {
		for _, p := range []string{proxyNone, proxyBare} {
			f, ok := rows[sc.Name+"/"+p]
			if sc.Client == heyClient && heyErr != nil {
				if ok {
					t.Errorf("%s ran without hey", sc.Name)
				}
				continue
			}
			if sc.Once { // -quick skips the 200 MiB download
				if ok {
					t.Errorf("%s ran under -quick", sc.Name)
				}
				continue
			}
			if !ok {
				t.Errorf("no row for %s through %s in:\n%s", sc.Name, p, stdout.String())
				continue
			}
			// req/s, p50, p99 and MiB/s always; peak RSS and CPU only with a
			// proxy process.
			cols := []int{2, 3, 4, 5}
			if p == proxyBare {
				cols = append(cols, 6, 7)
			}
			for _, c := range cols {
				v, err := strconv.ParseFloat(strings.ReplaceAll(f[c], ",", ""), 64)
				// MiB/s of 1 KiB responses over a 300 ms phase rounds to 0.0
				// on a slow machine (the race detector): a number, not a miss.
				if err != nil || v < 0 || (v == 0 && c != 5) {
					t.Errorf("%s through %s: column %d is %q, want a positive number", sc.Name, p, c, f[c])
				}
			}
			if f[9] != "0" {
				t.Errorf("%s through %s: %s errors\n%s", sc.Name, p, f[9], stderr.String())
			}
		}
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"help", []string{"-h"}, 0},
		{"too-few-rounds", []string{"-rounds", "2"}, 2},          // a spread needs 3 rounds
		{"unknown-proxy", []string{"-proxies", "none,squid"}, 2}, // not one we know
		{"unknown-scenario", []string{"-scenarios", "http-2"}, 2},
		{"stray-argument", []string{"now"}, 2},
		{"base-with-out", []string{"-base", "HEAD", "-out", "x.md"}, 2},             // the documented run is one glassbox's
		{"base-without-glassbox", []string{"-base", "HEAD", "-proxies", "bare"}, 2}, // nothing to compare
		{"base-an-option", []string{"-base", "--output=/tmp/x"}, 2},                 // never passed to git as an option
		{"pair-without-base", []string{"-pair"}, 2},                                 // nothing to measure together
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), tt.args, &out, &errOut); code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, errOut.String())
			}
		})
	}
}

// TestWriteDocKeepsNotes checks that a rewrite keeps the hand-written notes.
func TestWriteDocKeepsNotes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	notes := notesBegin + "\nThe writer queue grows with 1 MiB bodies.\n" + notesEnd
	if err := os.WriteFile(path, []byte("# old\n\n"+notes+"\ntrailing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := &results{
		Cfg:     config{Rounds: 3, Duration: time.Second, Scenarios: scenarios[:1]},
		Targets: []string{proxyBare, proxyGlassbox},
		Cells: []cell{
			{Scenario: "http-1", Target: proxyBare, Round: 1, RPS: 1000, Measured: 1, P50: time.Millisecond, CPUPerReq: 100, PeakRSSKiB: 1024},
			{Scenario: "http-1", Target: proxyGlassbox, Round: 1, RPS: 900, Measured: 1, P50: 2 * time.Millisecond, CPUPerReq: 120, PeakRSSKiB: 2048},
		},
		Flows: &flowCheck{Sent: 5, Stored: 5},
		Start: time.Now(), End: time.Now(),
	}
	if err := writeDoc(path, res, machine{CPU: "test CPU", Cores: 2}, "go run ./cmd/glassbox-bench"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, want := range []string{
		notes,
		"| http-1 | glassbox | 900 | 2.00 |",
		"| http-1 | p50 ms | 2.00 | 1.00 | — | 2.00x | ≤ 1.3x ✗ |", // a missed target is marked
		"| http-1 | CPU µs/req | 120 | 100 | — | 1.20x | ≤ 1.25x ✓ |",
		"flows stored: 5 ✓",
		"test CPU, 2 cores",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("doc lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "# old") || strings.Contains(doc, "trailing") {
		t.Errorf("doc kept text outside the notes:\n%s", doc)
	}
}

func TestStatOf(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want stat
	}{
		{"odd", []float64{3, 1, 2}, stat{Med: 2, Min: 1, Max: 3, N: 3}},
		{"even", []float64{4, 1, 2, 3}, stat{Med: 2.5, Min: 1, Max: 4, N: 4}},
		{"not-measured-skipped", []float64{-1, 5, -1}, stat{Med: 5, Min: 5, Max: 5, N: 1}}, // -1: no proxy process
		{"none", []float64{-1}, stat{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statOf(tt.in); got != tt.want {
				t.Errorf("statOf(%v) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFlowCheck(t *testing.T) {
	var f flowCheck
	f.add(cell{Scenario: "http-1", Round: 1, Sent: 10, Stored: 10, StoreLag: time.Second})
	if !f.OK() || f.MaxLag != time.Second {
		t.Fatalf("after a matching cell: OK %v, lag %s, problems %v", f.OK(), f.MaxLag, f.Problems)
	}
	f.add(cell{Scenario: "large-4", Round: 2, Sent: 10, Stored: 9}) // one flow lost
	if f.OK() || f.Sent != 20 || f.Stored != 19 || len(f.Problems) != 1 || !strings.Contains(f.Problems[0], "round 2 large-4: sent 10, stored 9") {
		t.Fatalf("after a short cell: OK %v, sent %d, stored %d, problems %q", f.OK(), f.Sent, f.Stored, f.Problems)
	}
	if !strings.HasSuffix(f.line(), "✗") {
		t.Errorf("line() = %q, want a ✗", f.line())
	}
	if l := f.shedLine(); !strings.Contains(l, "every stored flow kept its response body") {
		t.Errorf("shedLine() with nothing shed = %q", l)
	}
	f.add(cell{Scenario: "large-4", Round: 3, Sent: 5000, Stored: 5000, Shed: 1234})
	if l := f.shedLine(); f.Shed != 1234 || !strings.Contains(l, "1,234 flows were stored without their response body") || !strings.Contains(l, "round 3 large-4: 1,234") {
		t.Errorf("shedLine() after a cell that shed = %q (shed %d)", l, f.Shed)
	}
}

func TestPercentile(t *testing.T) {
	lat := make([]time.Duration, 200)
	for i := range lat {
		lat[i] = time.Duration(i+1) * time.Millisecond // 1..200 ms, sorted
	}
	tests := []struct {
		name string
		in   []time.Duration
		q    float64
		want time.Duration
	}{
		{"p50", lat, 0.50, 100 * time.Millisecond},
		{"p99", lat, 0.99, 198 * time.Millisecond},      // nearest rank: ceil(0.99*200) = 198th
		{"p99-of-one", lat[:1], 0.99, time.Millisecond}, // the 200 MiB download: one request
		{"empty", nil, 0.5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.in, tt.q); got != tt.want {
				t.Errorf("percentile(%d values, %g) = %s, want %s", len(tt.in), tt.q, got, tt.want)
			}
		})
	}
}

// The floor is measured for real (a few hundred MiB in a temporary
// directory) and read against the large-body cells: glassbox's stored
// rate is its forwarded rate times the share of the bytes it kept.
func TestFloor(t *testing.T) {
	f := measureFloor(t.TempDir())
	if f.Err != "" || f.SeqMiBps <= 0 || f.SQLiteMiBps <= 0 {
		t.Fatalf("floor = %+v", f)
	}
	f = floor{SeqMiBps: 500, SQLiteMiBps: 200}
	cells := []cell{
		{Scenario: "large-4", Target: proxyGlassbox, Sent: 100, MiBps: 400, StoredBytes: 25 << 20}, // a quarter kept: 100 MiB/s
		{Scenario: "large-4", Target: proxyGlassbox, Sent: 100, MiBps: 400, StoredBytes: 25 << 20},
		{Scenario: "large-4", Target: proxyBare, Sent: 100, MiBps: 800, StoredBytes: -1},
		{Scenario: "large-4", Target: proxyGlassbox, Sent: 100, MiBps: 400, StoredBytes: -1}, // not counted: left out
	}
	want := "glassbox stored large-4's response bodies at 100 MiB/s (median of 2 rounds): 20% of the disk's rate, 50% of SQLite's"
	if got := f.line(cells); !strings.Contains(got, want) || !strings.Contains(got, "writes 500 MiB/s sequentially") {
		t.Errorf("line = %q, want it to hold %q", got, want)
	}
}

// hey's CSV: a 200 counts with its time, anything else is an error; the
// header and short lines are skipped.
func TestParseHeyCSV(t *testing.T) {
	out := []byte("response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset\n" +
		"0.0036,0.0017,0.0000,0.0003,0.0011,0.0002,200,0.0003\n" +
		"0.0009,0.0000,0.0000,0.0000,0.0006,0.0002,200,0.0039\n" +
		"0.0100,0.0000,0.0000,0.0000,0.0006,0.0002,502,0.0049\n" +
		"garbage\n")
	res := parseHeyCSV(out, 1024)
	if res.OK != 2 || res.Errors != 1 || res.Bytes != 2048 || res.FirstErr != "status 502" {
		t.Fatalf("parsed %+v", res)
	}
	if len(res.Lat) != 2 || res.Lat[0] != 900*time.Microsecond || res.Lat[1] != 3600*time.Microsecond {
		t.Errorf("latencies %v, want sorted 0.9ms, 3.6ms", res.Lat)
	}
	u, _ := url.Parse("http://127.0.0.1:8080")
	args := strings.Join(heyArgs(scenario{Conns: 16}, target{Proxy: u}, "http://127.0.0.1:9/1k", 3*time.Second), " ")
	if args != "-c 16 -z 3s -t 30 -disable-compression -o csv -x http://127.0.0.1:8080 http://127.0.0.1:9/1k" {
		t.Errorf("hey %s", args)
	}
}
