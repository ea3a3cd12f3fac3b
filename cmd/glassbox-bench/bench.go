package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// Proxy names, in the order they are measured and printed.
const (
	proxyNone     = "none"
	proxyBare     = "bare"
	proxyGlassbox = "glassbox"
	proxyMitmdump = "mitmdump"
	// proxyBase is glassbox built from another revision (-base), measured
	// only when asked, after glassbox.
	proxyBase = "base"
)

var allProxies = []string{proxyNone, proxyBare, proxyGlassbox, proxyMitmdump}

// config is one run of the harness.
type config struct {
	Rounds     int
	Duration   time.Duration // measured time of each timed scenario
	Warmup     time.Duration // before each timed scenario, same connections
	Proxies    []string      // subset of allProxies
	Scenarios  []scenario
	Mitmdump   string // mitmdump's path; "" when it is not installed
	Hey        string // hey, the external client (hey.go): a name to find, then its path
	Go         string // the go tool that builds bareproxy and glassbox
	Keep       bool   // keep the work directory (binaries, glassbox's databases)
	ProfileDir string // save CPU profiles of glassbox's and bare's measured phases here
	Base       string // a git revision to build glassbox from as the proxy "base" (-base); "" for none
	Pair       bool   // measure glassbox and base at the same time in each round (-pair)
	Log        io.Writer
}

// results is everything a run measured.
type results struct {
	Cfg             config
	Targets         []string // proxies actually measured, in order
	Cells           []cell
	Notes           []string // skipped proxies and the like
	Flows           *flowCheck
	Floor           *floor // what the machine can store, when glassbox is measured
	MitmdumpVersion string
	Start, End      time.Time
}

// flowCheck compares what the load generator completed through glassbox
// with what glassbox stored, cell by cell.
type flowCheck struct {
	Sent     int64    // completed requests, warm-ups included
	Errors   int64    // requests that failed at the client
	Stored   int64    // flows in glassbox's databases
	Shed     int64    // of those, stored without their response body's copy
	ShedIn   []string // the cells that shed, with how many
	Problems []string // cells where the counts differ or could not be read
	MaxLag   time.Duration
	LagCell  string
}

func (f *flowCheck) OK() bool { return len(f.Problems) == 0 && f.Sent == f.Stored }

func (f *flowCheck) add(c cell) {
	f.Sent += c.Sent
	f.Errors += c.Errors
	f.Stored += max(c.Stored, 0)
	where := fmt.Sprintf("round %d %s", c.Round, c.Scenario)
	if c.Shed > 0 {
		f.Shed += c.Shed
		f.ShedIn = append(f.ShedIn, fmt.Sprintf("%s: %s", where, thousands(c.Shed)))
	}
	switch {
	case c.StoreErr != "":
		f.Problems = append(f.Problems, fmt.Sprintf("%s: %s", where, c.StoreErr))
	case c.Stored != c.Sent:
		f.Problems = append(f.Problems, fmt.Sprintf("%s: sent %d, stored %d", where, c.Sent, c.Stored))
	}
	if c.StoreLag > f.MaxLag {
		f.MaxLag, f.LagCell = c.StoreLag, where
	}
}

// launcher starts a fresh process of one proxy for one cell. Every cell
// gets its own process so that one cell's leftovers (a queue still being
// written, memory not yet returned to the OS) never count against the next
// cell or another proxy.
type launcher func(ctx context.Context, cellID int) (*proxyProc, error)

// bench runs the whole measurement: origin, then rounds of every scenario
// against every proxy, then the flow check.
func bench(ctx context.Context, cfg config) (*results, error) {
	res := &results{Cfg: cfg, Start: time.Now()}
	work, cleanup, err := workDir(cfg)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	dropHeyless(&cfg, res)
	org, err := startOrigin(work)
	if err != nil {
		return nil, fmt.Errorf("start the origin: %w", err)
	}
	defer org.Close()
	launchers, err := buildLaunchers(ctx, cfg, res, work, org)
	if err != nil {
		return nil, err
	}
	if slices.Contains(res.Targets, proxyGlassbox) {
		res.Flows = &flowCheck{}
		logf(cfg, "measuring the floor: sequential writes and SQLite blob inserts, %d MiB each", floorMiB)
		fl := measureFloor(work)
		res.Floor = &fl
		logf(cfg, "floor: %s", fl.line(res.Cells))
	}
	if err := runRounds(ctx, cfg, res, launchers, org); err != nil {
		return nil, err
	}
	res.End = time.Now()
	return res, nil
}

func logf(cfg config, format string, args ...any) { fmt.Fprintf(cfg.Log, format+"\n", args...) }

// dropHeyless finds hey when a scenario needs it, or leaves those
// scenarios out and says why.
func dropHeyless(cfg *config, res *results) {
	if !slices.ContainsFunc(cfg.Scenarios, func(sc scenario) bool { return sc.Client == heyClient }) {
		return
	}
	path, why := findHey(cmp.Or(cfg.Hey, heyClient), func(f string, a ...any) { logf(*cfg, f, a...) })
	if path != "" {
		cfg.Hey = path
		return
	}
	cfg.Scenarios = slices.DeleteFunc(cfg.Scenarios, func(sc scenario) bool { return sc.Client == heyClient })
	res.Cfg.Scenarios = cfg.Scenarios
	res.Notes = append(res.Notes, "the scenarios with hey as the client were left out: "+why)
	logf(*cfg, "leaving out the hey scenarios: %s", why)
}

// workDir makes the run's work directory (binaries, CAs, databases) and
// the profile directory; cleanup removes the work unless -keep.
func workDir(cfg config) (work string, cleanup func(), err error) {
	if cfg.ProfileDir != "" {
		if err := os.MkdirAll(cfg.ProfileDir, 0o755); err != nil {
			return "", nil, err
		}
	}
	work, err = os.MkdirTemp("", "glassbox-bench-")
	if err != nil {
		return "", nil, err
	}
	if cfg.Keep {
		logf(cfg, "work directory (kept): %s", work)
		return work, func() {}, nil
	}
	return work, func() { os.RemoveAll(work) }, nil
}

// buildLaunchers builds the proxies to measure and returns how to start
// each; res.Targets lists them in order, and res.Notes says what is skipped.
func buildLaunchers(ctx context.Context, cfg config, res *results, work string, org *origin) (map[string]launcher, error) {
	modRoot, err := moduleRoot(cfg.Go)
	if err != nil {
		return nil, err
	}
	launchers := map[string]launcher{}
	for _, name := range cfg.Proxies {
		var l launcher
		switch name {
		case proxyNone:
		case proxyBare, proxyGlassbox:
			if l, err = buildProxy(ctx, cfg, name, modRoot, work, org); err != nil {
				return nil, err
			}
		case proxyBase:
			if l, err = buildBase(ctx, cfg, modRoot, work, org); err != nil {
				return nil, err
			}
		case proxyMitmdump:
			if cfg.Mitmdump == "" {
				res.Notes = append(res.Notes, "mitmdump is not on PATH: its column is empty (install the Debian package `mitmproxy` to compare)")
				logf(cfg, "mitmdump not found on PATH: skipping it")
				continue
			}
			res.MitmdumpVersion = mitmdumpVersion(cfg.Mitmdump)
			l = func(ctx context.Context, _ int) (*proxyProc, error) {
				return startMitmdump(ctx, cfg.Mitmdump, work, org.CAPath)
			}
		default:
			return nil, fmt.Errorf("unknown proxy %q", name)
		}
		launchers[name] = l
		res.Targets = append(res.Targets, name)
	}
	return launchers, nil
}

// buildProxy builds bare or glassbox from this module and returns how to
// start one process of it per cell.
func buildProxy(ctx context.Context, cfg config, name, modRoot, work string, org *origin) (launcher, error) {
	bin := filepath.Join(work, name)
	pkg := map[string]string{proxyBare: "./cmd/bareproxy", proxyGlassbox: "./cmd/glassbox"}[name]
	logf(cfg, "building %s (%s)", name, pkg)
	if err := goBuild(ctx, cfg.Go, modRoot, pkg, bin); err != nil {
		return nil, err
	}
	if name == proxyBare {
		return func(ctx context.Context, _ int) (*proxyProc, error) {
			return startBare(ctx, bin, work, org.CAPath, cfg.ProfileDir != "")
		}, nil
	}
	return glassboxLauncher(cfg, bin, work, name, org)
}

// glassboxLauncher starts glassbox's binary bin, named name (glassbox or
// base), with a home and databases of its own under work.
func glassboxLauncher(cfg config, bin, work, name string, org *origin) (launcher, error) {
	home, dbs := filepath.Join(work, name+"-home"), filepath.Join(work, name+"-db")
	if err := os.MkdirAll(dbs, 0o700); err != nil {
		return nil, err
	}
	return func(ctx context.Context, id int) (*proxyProc, error) {
		db := filepath.Join(dbs, fmt.Sprintf("cell-%d.db", id))
		p, err := startGlassbox(ctx, bin, home, db, org.CAPath, cfg.ProfileDir != "")
		if p != nil {
			p.Name = name // what its cells are filed under
		}
		return p, err
	}, nil
}

// runRounds measures every cell, round by round.
func runRounds(ctx context.Context, cfg config, res *results, launchers map[string]launcher, org *origin) error {
	id := 0
	for round := 1; round <= cfg.Rounds; round++ {
		for _, sc := range cfg.Scenarios {
			// Rotate which proxy goes first each round, so none always runs
			// right after the same neighbour.
			for i := range res.Targets {
				name := res.Targets[(i+round-1)%len(res.Targets)]
				if err := ctx.Err(); err != nil {
					return err
				}
				names := []string{name}
				switch {
				case cfg.Pair && name == proxyBase:
					continue // measured with glassbox
				case cfg.Pair && name == proxyGlassbox:
					names = append(names, proxyBase)
				}
				conns := org.Conns.Load()
				cells, err := measureTogether(ctx, cfg, sc, names, launchers, &id, org, round)
				if err != nil {
					return err
				}
				for _, c := range cells {
					c.OriginConns = org.Conns.Load() - conns // the pair's together, with -pair
					res.Cells = append(res.Cells, c)
					if c.Target == proxyGlassbox {
						res.Flows.add(c)
					}
					logf(cfg, "round %d/%d  %-14s %-9s %s", round, cfg.Rounds, sc.Name, c.Target, progressLine(c))
				}
			}
		}
	}
	return nil
}

// measureTogether measures the cells of names (one proxy, or glassbox and
// base with -pair) at the same time: each under its own load, their
// warm-ups and measured phases begun together, so that what the machine
// does meanwhile weighs on both alike.
func measureTogether(ctx context.Context, cfg config, sc scenario, names []string, launchers map[string]launcher, id *int, org *origin, round int) ([]cell, error) {
	var together *barrier // nil: a cell alone waits for no one
	if len(names) > 1 {
		together = newBarrier(len(names))
	}
	cells := make([]cell, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		*id++
		cellID := *id
		wg.Go(func() {
			cells[i], errs[i] = measure(ctx, cfg, sc, name, launchers[name], cellID, org, round, together)
		})
	}
	wg.Wait()
	return cells, errors.Join(errs...)
}

// measure runs one cell: start the proxy, run the scenario, stop the
// proxy, and for glassbox count what it stored. together, when not nil,
// holds its warm-up and its measured phase until the other cells
// measured with it are there too.
func measure(ctx context.Context, cfg config, sc scenario, name string, launch launcher, id int, org *origin, round int, together *barrier) (cell, error) {
	defer together.leave() // whatever happens to this cell, the others go on
	run := cellRun{sc: sc, warmup: cfg.Warmup, d: cfg.Duration, round: round, hey: cfg.Hey, together: together}
	run.originURL = org.HTTPURL
	if sc.HTTPS {
		run.originURL = org.HTTPSURL
	}
	if launch == nil { // no proxy
		run.t = target{Name: name, Roots: org.Roots}
		return runCell(ctx, run), nil
	}
	p, err := launch(ctx, id)
	if err != nil {
		return cell{}, err
	}
	defer p.Stop()
	if run.t, err = p.Target(); err != nil {
		return cell{}, err
	}
	var counter *flowCounter
	if p.DBPath != "" {
		counter = &flowCounter{path: p.DBPath}
		defer counter.Close()
		run.settle = counter.waitFor
	}
	if cfg.ProfileDir != "" && p.ProfileAddr != "" {
		run.profile = func(d time.Duration) func() error {
			path := filepath.Join(cfg.ProfileDir, fmt.Sprintf("%s-%s-r%d.pprof", name, sc.Name, round))
			return fetchProfile(ctx, p.ProfileAddr, d, path)
		}
	}
	c := runCell(ctx, run)
	if counter == nil {
		if err := p.Stop(); err != nil {
			return c, fmt.Errorf("%s: %w\n%s", name, err, lastLines(p.Log(), 20))
		}
		return c, nil
	}
	// glassbox: SIGINT drains its queue into SQLite; then count.
	counter.Close()
	if err := p.Stop(); err != nil {
		c.StoreErr = fmt.Sprintf("%v; last lines of its log:\n%s", err, indent(lastLines(p.Log(), 15), "    "))
		return c, nil
	}
	countStored(ctx, &c, counter)
	if c.Stored != c.Sent && c.StoreErr == "" {
		c.StoreErr = fmt.Sprintf("sent %d, stored %d; last lines of its log:\n%s", c.Sent, c.Stored, indent(lastLines(p.Log(), 15), "    "))
	}
	if !cfg.Keep {
		for _, suffix := range []string{"", "-wal", "-shm", "-bodies"} {
			os.Remove(p.DBPath + suffix) // bound the disk: large-4 stores ~1 GB of bodies
		}
	}
	return c, nil
}

// countStored reads, once glassbox has exited, what it stored of the
// cell: flows, flows without their body, body bytes.
func countStored(ctx context.Context, c *cell, counter *flowCounter) {
	n, err := counter.final(ctx)
	if err != nil {
		c.StoreErr = err.Error()
	}
	c.Stored = n
	if c.Shed, err = counter.shed(ctx); err != nil && c.StoreErr == "" {
		c.StoreErr = err.Error()
	}
	if c.StoredBytes, err = counter.storedBytes(ctx); err != nil && c.StoreErr == "" {
		c.StoreErr = err.Error()
	}
}

func progressLine(c cell) string {
	s := fmt.Sprintf("%8.0f req/s  p50 %7.3f ms  p99 %7.3f ms  %7.1f MiB/s", c.RPS, ms(c.P50), ms(c.P99), c.MiBps)
	if c.CPUPerReq >= 0 {
		s += fmt.Sprintf("  cpu %7.0f us/req", c.CPUPerReq)
	}
	if c.PeakRSSKiB >= 0 {
		s += fmt.Sprintf("  rss %6.1f MiB", float64(c.PeakRSSKiB)/1024)
	}
	s += fmt.Sprintf("  origin conns %d", c.OriginConns)
	if c.Stored >= 0 {
		s += fmt.Sprintf("  stored %d/%d (lag %s)", c.Stored, c.Sent, c.StoreLag.Round(time.Millisecond))
		if c.Shed > 0 {
			s += fmt.Sprintf(", %d without their body", c.Shed)
		}
	}
	if c.Errors > 0 {
		s += fmt.Sprintf("  %d ERRORS (%s)", c.Errors, c.FirstErr)
	}
	if c.StoreErr != "" {
		s += "  STORE: " + c.StoreErr
	}
	if c.ProfileErr != "" {
		s += "  (no profile: " + c.ProfileErr + ")"
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// parseList splits a comma list and checks each name against known.
func parseList(v string, known []string) ([]string, error) {
	var out []string
	for _, name := range splitComma(v) {
		if !slices.Contains(known, name) {
			return nil, fmt.Errorf("unknown name %q: choose from %v", name, known)
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("empty list")
	}
	return out, nil
}
