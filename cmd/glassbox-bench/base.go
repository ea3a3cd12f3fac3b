package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// buildBase builds glassbox as it was at the git revision cfg.Base (-base)
// and returns how to start it. The tree comes out of `git archive`, so the
// repository and its working copy are left as they are.
func buildBase(ctx context.Context, cfg config, modRoot, work string, org *origin) (launcher, error) {
	src := filepath.Join(work, "base-src")
	logf(cfg, "building base: glassbox at %s (./cmd/glassbox)", cfg.Base)
	if err := extractRevision(ctx, modRoot, cfg.Base, src); err != nil {
		return nil, fmt.Errorf("-base %s: %w", cfg.Base, err)
	}
	bin := filepath.Join(work, proxyBase)
	if err := goBuild(ctx, cfg.Go, src, "./cmd/glassbox", bin); err != nil {
		return nil, fmt.Errorf("-base %s: %w", cfg.Base, err)
	}
	return glassboxLauncher(cfg, bin, work, proxyBase, org)
}

// extractRevision writes the files of the repository at dir, as they were
// at rev, into dst.
func extractRevision(ctx context.Context, dir, rev, dst string) error {
	if strings.HasPrefix(rev, "-") {
		return errors.New("not a revision") // never an option to git
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "archive", "--format=tar", rev)
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git archive: %w (is git installed, and is %s a git checkout?)", err, dir)
	}
	xerr := untar(out, dst)
	io.Copy(io.Discard, out) // let git finish whatever untar left
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git archive: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return xerr
}

// untar writes the regular files and directories of a tar stream under
// dst, refusing names that would leave it.
func untar(r io.Reader, dst string) error {
	tr := tar.NewReader(r)
	for range 1_000_000 { // a repository's files, bounded
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read git archive: %w", err)
		}
		name := filepath.FromSlash(h.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("git archive: a path outside the tree: %q", h.Name)
		}
		path := filepath.Join(dst, name)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(path, 0o755)
		case tar.TypeReg:
			err = writeFileFrom(path, tr, h.FileInfo().Mode().Perm())
		default:
			continue // symlinks and the archive's comment header: a build needs neither
		}
		if err != nil {
			return err
		}
	}
	return errors.New("git archive: more than a million entries")
}

func writeFileFrom(path string, r io.Reader, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm|0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	return errors.Join(err, f.Close())
}

// baseTable compares glassbox with base (-base): medians, their ratio, and
// the ratio round by round. Each round measures the two one after the
// other, so the machine's drift over the run cancels in each round's
// ratio; the median of those is the number to judge a change by.
func (r *results) baseTable() table {
	t := table{Header: []string{"scenario", "metric", "glassbox", "base", "glassbox/base", "by round (sorted)", "median by round"}}
	for _, sc := range r.Cfg.Scenarios {
		gs, okG := r.summarize(sc.Name, proxyGlassbox)
		bs, okB := r.summarize(sc.Name, proxyBase)
		if !okG || !okB {
			continue
		}
		rate := mRPS
		if sc.Size >= 1<<20 {
			rate = mMiBps
		}
		for _, m := range []metric{rate, mCPU} {
			g, b := m.Get(gs), m.Get(bs)
			row := []string{sc.Name, m.Name, valueOf(g, m), valueOf(b, m), dash, dash, dash}
			if g.N > 0 && b.N > 0 && b.Med > 0 {
				row[4] = fmtRatio(g.Med / b.Med)
			}
			if rs := r.pairedRatios(sc.Name, m, proxyBase); len(rs) > 0 {
				var list []string
				for _, v := range rs {
					list = append(list, fmtRatio(v))
				}
				row[5], row[6] = strings.Join(list, " "), fmtRatio(statOf(rs).Med)
			}
			t.Rows = append(t.Rows, row)
		}
	}
	return t
}

// pairedRatios is glassbox over other for one metric in each round that
// measured both, sorted.
func (r *results) pairedRatios(scenario string, m metric, other string) []float64 {
	var out []float64
	for round := 1; round <= r.Cfg.Rounds; round++ {
		gs, okG := r.summarizeRound(scenario, proxyGlassbox, round)
		bs, okB := r.summarizeRound(scenario, other, round)
		if g, b := m.Get(gs), m.Get(bs); okG && okB && g.N > 0 && b.N > 0 && g.Med > 0 && b.Med > 0 {
			out = append(out, g.Med/b.Med)
		}
	}
	slices.Sort(out)
	return out
}
