// Command glassbox-bench measures glassbox against no proxy, a bare goproxy
// forwarder (cmd/bareproxy) and mitmdump (when installed), on loopback, in
// one run: requests/s, latency, MiB/s, the proxy's peak RSS and CPU time
// per request, and glassbox's ratios to the others against the targets of
// issue 7. It checks that glassbox stored every request it was sent, and
// writes docs/BENCHMARKS.md.
//
// Run it from the repository (it builds ./cmd/bareproxy and ./cmd/glassbox):
//
//	go run ./cmd/glassbox-bench -rounds 5 -out docs/BENCHMARKS.md   # what make bench runs
//	go run ./cmd/glassbox-bench -quick      # smoke test, a few seconds
//
// To judge a change, measure it against the commit before it in the same
// rounds (the machine's speed drifts by tens of percent over a run; each
// round measures the two one after the other, and the median of the
// round-by-round ratios cancels the drift):
//
//	go run ./cmd/glassbox-bench -scenarios https-32,http-16-hey -proxies bare,glassbox -base HEAD~1
//
// A change of a few percent is lost in what other work on the machine does
// to consecutive cells (their ratio still spreads ±10%). -pair measures
// glassbox and base at the same time in each round, each under its own
// load, so that it weighs on both alike (their ratio spreads about ±2%):
//
//	go run ./cmd/glassbox-bench -scenarios http-16-hey -proxies glassbox -base HEAD~1 -pair -rounds 6
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// minRounds: fewer rounds give no spread worth the name (issue 7).
const minRounds = 3

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, out, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	res, err := bench(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "glassbox-bench: %v\n", err)
		return 1
	}
	res.printText(stdout)

	code := 0
	for _, p := range res.Targets {
		for _, sc := range cfg.Scenarios {
			if s, ok := res.summarize(sc.Name, p); ok && s.Errors > 0 {
				fmt.Fprintf(stderr, "warning: %s through %s: %d requests failed (first: %s); its numbers are suspect\n", sc.Name, p, s.Errors, s.FirstErr)
			}
		}
	}
	if f := res.Flows; f != nil && !f.OK() {
		fmt.Fprintf(stderr, "\nFAIL: glassbox did not store every request it was sent.\n  %s\n", f.line())
		for _, p := range f.Problems {
			fmt.Fprintf(stderr, "  %s\n", p)
		}
		code = 1
	}
	if out != "" {
		if err := writeDoc(out, res, describeMachine(res.MitmdumpVersion), command(args)); err != nil {
			fmt.Fprintf(stderr, "glassbox-bench: write %s: %v\n", out, err)
			return 1
		}
		fmt.Fprintf(stdout, "\nwrote %s\n", out)
	}
	return code
}

// benchFlags are the flags parseFlags reads before it checks them.
type benchFlags struct {
	quick                   *bool
	proxies, scenarios, out *string
	set                     map[string]bool // the flags given on the command line
}

func parseFlags(args []string, stderr io.Writer) (config, string, error) {
	cfg := config{Log: stderr}
	fs, bf := flagSet(&cfg, stderr)
	usageErr := func(format string, a ...any) (config, string, error) {
		fmt.Fprintf(stderr, "glassbox-bench: "+format+"\n", a...)
		return cfg, "", errors.New("usage")
	}
	if err := fs.Parse(args); err != nil {
		return cfg, "", err
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) { bf.set[f.Name] = true })
	if msg := bf.apply(&cfg); msg != "" {
		return usageErr("%s", msg)
	}
	return cfg, *bf.out, nil
}

// flagSet declares the flags, filling cfg with their defaults.
func flagSet(cfg *config, stderr io.Writer) (*flag.FlagSet, *benchFlags) {
	fs := flag.NewFlagSet("glassbox-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bf := &benchFlags{set: map[string]bool{}}
	fs.IntVar(&cfg.Rounds, "rounds", minRounds, fmt.Sprintf("rounds, each running every scenario against every proxy (at least %d)", minRounds))
	fs.DurationVar(&cfg.Duration, "duration", 3*time.Second, "measured time of each timed scenario")
	fs.DurationVar(&cfg.Warmup, "warmup", 500*time.Millisecond, "warm-up before each timed scenario, on the same connections")
	bf.quick = fs.Bool("quick", false, "smoke test: 1 round of 1s, no 200 MiB download (explicit -rounds/-duration/-warmup win)")
	bf.proxies = fs.String("proxies", strings.Join(allProxies, ","), "proxies to measure, comma-separated; mitmdump is skipped when not installed")
	bf.scenarios = fs.String("scenarios", scenarioNames(), "scenarios to run, comma-separated")
	fs.StringVar(&cfg.Mitmdump, "mitmdump", "mitmdump", "mitmdump program (looked up on PATH; optional)")
	fs.StringVar(&cfg.Hey, "hey", heyClient, "hey, the external load generator of the *-hey scenarios (looked up on PATH; installed with apt-get when missing and run as root; those scenarios are left out otherwise)")
	fs.StringVar(&cfg.Go, "go", "go", "go tool used to build ./cmd/bareproxy and ./cmd/glassbox")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the work directory (binaries, CAs, glassbox's database) and print where it is")
	fs.StringVar(&cfg.ProfileDir, "profile", "", "save CPU profiles of every measured phase of glassbox and bare in this directory, as PROXY-SCENARIO-rROUND.pprof (their --pprof; costs them a little CPU)")
	bf.out = fs.String("out", "", "also write the results as Markdown to this file (e.g. docs/BENCHMARKS.md), keeping its notes section")
	fs.StringVar(&cfg.Base, "base", "", "also measure glassbox built from this git revision (e.g. HEAD~2), as the proxy \"base\" in the same rounds, and print glassbox against it round by round: the way to judge a change on a machine whose speed drifts (not with -out)")
	fs.BoolVar(&cfg.Pair, "pair", false, "with -base: measure glassbox and base at the same time in each round, each under its own load, so that what else the machine does weighs on both alike: their ratio round by round then spreads about ±2% where alternating cells spread ±10% (the way to judge a change of a few percent; other proxies are measured alone)")
	fs.Usage = func() { usage(stderr, fs) }
	return fs, bf
}

func usage(stderr io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(stderr, `Usage: go run ./cmd/glassbox-bench [flags]

Measures glassbox against no proxy, a bare goproxy forwarder (cmd/bareproxy) and
mitmdump (when installed), on loopback only, and checks that glassbox stored every
request. Run it from the glassbox repository: it builds the proxies with "go build".
Exit status 1 when a request through glassbox was not stored (or the run failed).

Scenarios:
`)
	for _, sc := range scenarios {
		fmt.Fprintf(stderr, "  %-14s %s\n", sc.Name, sc.Desc)
	}
	fmt.Fprint(stderr, "\nFlags:\n")
	fs.PrintDefaults()
}

// apply turns the parsed flags into cfg; a non-empty result says what is
// wrong with them.
func (bf *benchFlags) apply(cfg *config) string {
	names, err := parseList(*bf.scenarios, splitComma(scenarioNames()))
	if err != nil {
		return "-scenarios: " + err.Error()
	}
	if *bf.quick {
		if !bf.set["rounds"] {
			cfg.Rounds = 1
		}
		if !bf.set["duration"] {
			cfg.Duration = time.Second
		}
		if !bf.set["warmup"] {
			cfg.Warmup = 200 * time.Millisecond
		}
	}
	for _, n := range names {
		sc, _ := scenarioByName(n)
		if *bf.quick && sc.Once && !bf.set["scenarios"] {
			continue // -quick skips the 200 MiB download
		}
		cfg.Scenarios = append(cfg.Scenarios, sc)
	}
	if cfg.Proxies, err = parseList(*bf.proxies, allProxies); err != nil {
		return "-proxies: " + err.Error()
	}
	if cfg.Base != "" {
		switch {
		case *bf.out != "":
			return "-base: not with -out (the documented run measures one glassbox)"
		case !slices.Contains(cfg.Proxies, proxyGlassbox):
			return "-base compares glassbox with an earlier build of it: keep glassbox in -proxies"
		case strings.HasPrefix(cfg.Base, "-"):
			return fmt.Sprintf("-base %s: want a git revision (a commit, a tag, HEAD~2)", cfg.Base)
		}
		cfg.Proxies = append(cfg.Proxies, proxyBase)
	}
	if cfg.Pair && cfg.Base == "" {
		return "-pair measures glassbox and base together: give -base a revision"
	}
	if msg := checkRanges(cfg, *bf.quick); msg != "" {
		return msg
	}
	if path, err := exec.LookPath(cfg.Mitmdump); err == nil {
		cfg.Mitmdump = path
	} else {
		if bf.set["mitmdump"] {
			return fmt.Sprintf("-mitmdump %s: %v", cfg.Mitmdump, err)
		}
		cfg.Mitmdump = ""
	}
	return ""
}

func checkRanges(cfg *config, quick bool) string {
	switch {
	case cfg.Rounds < minRounds && !quick:
		return fmt.Sprintf("-rounds %d: use at least %d to get a spread (or -quick for a smoke test)", cfg.Rounds, minRounds)
	case cfg.Rounds < 1 || cfg.Rounds > 100:
		return fmt.Sprintf("-rounds %d: want 1 to 100", cfg.Rounds)
	case cfg.Duration < 100*time.Millisecond || cfg.Duration > 10*time.Minute:
		return fmt.Sprintf("-duration %s: want 100ms to 10m", cfg.Duration)
	case cfg.Warmup < 0 || cfg.Warmup > time.Minute:
		return fmt.Sprintf("-warmup %s: want 0 to 1m", cfg.Warmup)
	}
	return ""
}

func scenarioNames() string {
	var names []string
	for _, sc := range scenarios {
		names = append(names, sc.Name)
	}
	return strings.Join(names, ",")
}

func splitComma(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// command is how to rerun this measurement.
func command(args []string) string {
	parts := []string{"go", "run", "./cmd/glassbox-bench"}
	for _, a := range args {
		if strings.ContainsAny(a, " \t'\"$\\*?;&|<>()") || a == "" {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
