package main

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// -base builds glassbox from `git archive REV`: the tree comes out whole,
// and the repository is left as it is.
func TestExtractRevision(t *testing.T) {
	root, err := moduleRoot("go")
	if err != nil {
		t.Skip(err)
	}
	if err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Run(); err != nil {
		t.Skipf("not a git checkout with a commit: %v", err)
	}
	dst := t.TempDir()
	if err := extractRevision(context.Background(), root, "HEAD", dst); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"go.mod", "go.sum", "cmd/glassbox/main.go", "store/sqlite/writer.go"} {
		if _, err := os.Stat(filepath.Join(dst, f)); err != nil {
			t.Errorf("%s missing from the extracted tree: %v", f, err)
		}
	}
	if err := extractRevision(context.Background(), root, "no-such-revision-xyz", t.TempDir()); err == nil || !strings.Contains(err.Error(), "git archive") {
		t.Errorf("an unknown revision: err %v, want git archive's complaint", err)
	}
}

// A tar stream whose names leave the tree is refused, not written.
func TestUntarStaysInside(t *testing.T) {
	for _, name := range []string{"../escape.txt", "/etc/escape.txt", "a/../../escape.txt"} {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
		tw.Write([]byte("x"))
		tw.Close()
		dir := t.TempDir()
		if err := untar(&buf, filepath.Join(dir, "tree")); err == nil {
			t.Errorf("%q: extracted, want a refusal", name)
		}
		if _, err := os.Stat(filepath.Join(dir, "escape.txt")); err == nil {
			t.Errorf("%q: written outside the tree", name)
		}
	}
}

// The comparison with base pairs glassbox and base within each round, so
// a round where the whole machine was slow moves both alike.
func TestBaseTable(t *testing.T) {
	sc, _ := scenarioByName("http-32")
	r := &results{Cfg: config{Rounds: 3, Scenarios: []scenario{sc}, Base: "HEAD~1"}, Targets: []string{proxyGlassbox, proxyBase}}
	// Round 2 ran on a machine twice as slow: both took twice the CPU.
	for round, cpu := range map[int][2]float64{1: {60, 50}, 2: {120, 100}, 3: {66, 60}} {
		r.Cells = append(r.Cells,
			cell{Scenario: sc.Name, Target: proxyGlassbox, Round: round, RPS: 1000, CPUPerReq: cpu[0], PeakRSSKiB: 1},
			cell{Scenario: sc.Name, Target: proxyBase, Round: round, RPS: 1000, CPUPerReq: cpu[1], PeakRSSKiB: 1})
	}
	got := r.pairedRatios(sc.Name, mCPU, proxyBase)
	if len(got) != 3 || got[0] != 1.1 || got[1] != 1.2 || got[2] != 1.2 {
		t.Fatalf("paired CPU ratios %v, want [1.1 1.2 1.2]", got)
	}
	var out bytes.Buffer
	r.baseTable().text(&out)
	if !strings.Contains(out.String(), "1.10x 1.20x 1.20x  1.20x") {
		t.Errorf("base table:\n%s\nwant the CPU row's rounds 1.10x 1.20x 1.20x and their median 1.20x", out.String())
	}
}

// The targets are judged round by round too: glassbox over bare in each
// round, then their median. Here the medians of the two proxies come from
// different rounds (bare's best round is glassbox's worst), and their ratio
// (642/488 = 1.32x) would miss a target the rounds meet (1.17x, 1.20x,
// 1.40x: 1.20x).
func TestRatioTablePairsRounds(t *testing.T) {
	large, _ := scenarioByName("large-4")
	https, _ := scenarioByName("https-32")
	r := &results{Cfg: config{Rounds: 3, Scenarios: []scenario{https, large}}, Targets: []string{proxyBare, proxyGlassbox}}
	for round, cpu := range map[int][4]float64{1: {642, 550, 70, 59}, 2: {683, 488, 70, 60}, 3: {553, 461, 70, 61}} {
		r.Cells = append(r.Cells,
			cell{Scenario: large.Name, Target: proxyGlassbox, Round: round, RPS: 1000, MiBps: 1000, CPUPerReq: cpu[0], PeakRSSKiB: 1},
			cell{Scenario: large.Name, Target: proxyBare, Round: round, RPS: 1000, MiBps: 1000, CPUPerReq: cpu[1], PeakRSSKiB: 1},
			cell{Scenario: https.Name, Target: proxyGlassbox, Round: round, RPS: 1000, MiBps: 1, CPUPerReq: cpu[2], PeakRSSKiB: 1},
			cell{Scenario: https.Name, Target: proxyBare, Round: round, RPS: 1000, MiBps: 1, CPUPerReq: cpu[3], PeakRSSKiB: 1})
	}
	rt, v := r.ratioTable()
	var out bytes.Buffer
	rt.text(&out)
	for key, want := range map[[2]string][]string{
		{"large-4 ", "CPU µs/req"}:  {"1.20x (1.17–1.40x)", "≤ 1.25x ✓"},
		{"large-4 ", "MiB/s"}:       {"1.00x", "≥ 0.8x ✓"},
		{"https-32 ", "CPU µs/req"}: {"1.17x (1.15–1.19x)", "≤ 1.1x ✗"},
	} {
		var row string
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(line, key[0]) && strings.Contains(line, key[1]) {
				row = line
			}
		}
		for _, w := range want {
			if !strings.Contains(row, w) {
				t.Errorf("%s: row %q lacks %q\n%s", key, row, w, out.String())
			}
		}
	}
	if v.Met != 3 || v.Total != 4 {
		t.Errorf("%d of %d targets met, want 3 of 4 (https-32's req/s, large-4's two, not https-32's CPU)", v.Met, v.Total)
	}
}
