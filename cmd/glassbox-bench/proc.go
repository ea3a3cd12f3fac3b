package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// startTimeout bounds how long a proxy may take to listen (mitmdump,
	// a Python program, takes a second or two).
	startTimeout = 60 * time.Second
	// stopTimeout bounds SIGINT-to-exit: glassbox drains its writer queue
	// into SQLite first.
	stopTimeout = 90 * time.Second
	// buildTimeout covers a cold build of glassbox, which compiles SQLite's
	// C amalgamation (mattn/go-sqlite3): about two minutes on 2 cores.
	buildTimeout = 15 * time.Minute
	// logTail is how much of a proxy's output is kept for error messages;
	// glassbox logs a line per flow, so the buffer must be bounded.
	logTail = 64 << 10
)

// proxyProc is a proxy under test, running as its own process so that its
// CPU time and memory are its own.
type proxyProc struct {
	Name        string
	Addr        string // host:port it listens on
	CAPath      string // PEM of the CA it signs leaves with
	DBPath      string // glassbox's database
	ProfileAddr string // the --pprof listener of glassbox or bareproxy, when asked for

	cmd  *exec.Cmd
	log  *tailBuffer
	done chan struct{} // closed after Wait returned
}

func (p *proxyProc) PID() int { return p.cmd.Process.Pid }

// Target is how the load generator reaches the proxy.
func (p *proxyProc) Target() (target, error) {
	pem, err := os.ReadFile(p.CAPath)
	if err != nil {
		return target{}, fmt.Errorf("%s: read its CA: %w", p.Name, err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return target{}, fmt.Errorf("%s: no certificate in %s", p.Name, p.CAPath)
	}
	return target{Name: p.Name, Proxy: &url.URL{Scheme: "http", Host: p.Addr}, Roots: roots, PID: p.PID()}, nil
}

// Log is the tail of what the proxy printed.
func (p *proxyProc) Log() string { return p.log.String() }

// Stop sends SIGINT and waits for the process to exit; it kills the
// process if it has not exited within stopTimeout.
func (p *proxyProc) Stop() error {
	select {
	case <-p.done:
		return p.exitErr()
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
		return p.exitErr()
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not exit within %s of SIGINT and was killed", p.Name, stopTimeout)
	}
}

func (p *proxyProc) exitErr() error {
	if st := p.cmd.ProcessState; st != nil && !st.Success() {
		return fmt.Errorf("%s exited: %s", p.Name, st)
	}
	return nil
}

var (
	listenRE  = regexp.MustCompile(`listening on (\S+)`)
	profileRE = regexp.MustCompile(`profiler on http://(\S+)/debug/pprof/`)
)

// startProc starts a proxy binary and, when announce is set, waits for its
// "listening on ADDR" line on stderr; otherwise ready decides when it is up.
// Its output is drained continuously into a bounded buffer.
func startProc(ctx context.Context, name string, argv, env []string, announce bool) (*proxyProc, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.SysProcAttr = sysProcAttr()
	p := &proxyProc{Name: name, cmd: cmd, log: &tailBuffer{max: logTail}, done: make(chan struct{})}
	cmd.Stdout = p.log
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	addrc := make(chan string, 1)
	go func() {
		br := bufio.NewReaderSize(stderr, 16<<10)
		found := !announce
		for {
			line, err := br.ReadSlice('\n')
			p.log.Write(line)
			if !found {
				if m := profileRE.FindSubmatch(line); m != nil {
					p.ProfileAddr = string(m[1]) // before addrc: read after it
				}
				if m := listenRE.FindSubmatch(line); m != nil {
					found = true
					addrc <- string(m[1])
				}
			}
			if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		_ = cmd.Wait()
		close(p.done)
	}()
	if !announce {
		return p, nil
	}
	select {
	case p.Addr = <-addrc:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("%s exited before listening:\n%s", name, p.Log())
	case <-time.After(startTimeout):
	case <-ctx.Done():
		_ = p.cmd.Process.Kill()
		<-p.done
		return nil, ctx.Err()
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	return nil, fmt.Errorf("%s did not say \"listening on\" within %s:\n%s", name, startTimeout, p.Log())
}

// childEnv is the environment for proxies: ours without proxy variables,
// so nothing under test forwards to another proxy.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "GLASSBOX_HOME":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// goBuild builds a package of this module into dir.
func goBuild(ctx context.Context, goTool, modRoot, pkg, out string) error {
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", out, pkg)
	cmd.Dir = modRoot
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// moduleRoot finds the glassbox module from the working directory.
func moduleRoot(goTool string) (string, error) {
	b, err := exec.Command(goTool, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w (is %q the Go tool?)", err, goTool)
	}
	mod := strings.TrimSpace(string(b))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the glassbox module: run the benchmark from the repository, e.g. `make bench`")
	}
	return filepath.Dir(mod), nil
}

func startBare(ctx context.Context, bin, work, originCA string, profile bool) (*proxyProc, error) {
	ca := filepath.Join(work, "bare-ca.pem")
	argv := []string{bin, "--listen", "127.0.0.1:0", "--ca-out", ca, "--upstream-ca", originCA}
	if profile {
		argv = append(argv, "--pprof", "127.0.0.1:0")
	}
	p, err := startProc(ctx, "bare", argv, childEnv(), true)
	if err != nil {
		return nil, err
	}
	p.CAPath = ca
	return p, nil
}

// startGlassbox runs the real binary as a user would, recording into db.
// home holds its CA (kept across cells so clients trust one CA).
func startGlassbox(ctx context.Context, bin, home, db, originCA string, profile bool) (*proxyProc, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	argv := []string{bin, "proxy", "--listen", "127.0.0.1:0", "--db", db, "--upstream-ca", originCA}
	if profile {
		argv = append(argv, "--pprof", "127.0.0.1:0")
	}
	p, err := startProc(ctx, "glassbox", argv, childEnv("GLASSBOX_HOME="+home), true)
	if err != nil {
		return nil, err
	}
	p.DBPath, p.CAPath = db, filepath.Join(home, "ca.pem")
	return p, nil
}

// mitmdumpStreamLarge is mitmdump's stream_large_bodies threshold.
const mitmdumpStreamLarge = "2m"

// startMitmdump runs mitmdump quietly on a free loopback port. It prints
// nothing with -q, so readiness is its CA file plus an accepting port.
func startMitmdump(ctx context.Context, bin, work, originCA string) (*proxyProc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(work, "mitmproxy")
	if err := os.MkdirAll(conf, 0o700); err != nil {
		return nil, err
	}
	argv := []string{bin, "--listen-host", "127.0.0.1", "--listen-port", fmt.Sprint(port),
		"--set", "confdir=" + conf, "--set", "ssl_verify_upstream_trusted_ca=" + originCA,
		// Stream bodies over 2 MiB instead of buffering them: with its default
		// (buffer everything) mitmdump 8.1.1 took 296 s for the 200 MiB
		// download here (0.7 MiB/s, 819 MiB RSS), more than the whole
		// benchmark's budget. The 1 KiB and 1 MiB scenarios are unaffected.
		"--set", "stream_large_bodies=" + mitmdumpStreamLarge, "-q"}
	p, err := startProc(ctx, "mitmdump", argv, childEnv(), false)
	if err != nil {
		return nil, err
	}
	p.Addr, p.CAPath = fmt.Sprintf("127.0.0.1:%d", port), filepath.Join(conf, "mitmproxy-ca-cert.pem")
	deadline := time.Now().Add(startTimeout)
	for i := 0; i < 1200 && time.Now().Before(deadline) && ctx.Err() == nil; i++ {
		select {
		case <-p.done:
			return nil, fmt.Errorf("mitmdump exited at start:\n%s", p.Log())
		case <-time.After(50 * time.Millisecond): // mitmdump -q announces nothing: poll
		}
		if _, err := os.Stat(p.CAPath); err != nil {
			continue
		}
		if c, err := net.DialTimeout("tcp", p.Addr, time.Second); err == nil {
			c.Close()
			return p, nil
		}
	}
	_ = p.Stop()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("mitmdump did not start listening on %s within %s:\n%s", p.Addr, startTimeout, p.Log())
}

// freePort asks the kernel for an unused loopback port. Another process
// could take it before mitmdump binds it; on loopback that is unlikely and
// shows as mitmdump failing to start.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// mitmdumpVersion is the first line of `mitmdump --version`.
func mitmdumpVersion(bin string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return "unknown"
	}
	first, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(strings.TrimPrefix(first, "Mitmproxy:"))
}

// tailBuffer keeps the last max bytes written to it (between max and 2*max
// before trimming).
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > 2*t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buf
	if len(b) > t.max {
		b = b[len(b)-t.max:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
}
