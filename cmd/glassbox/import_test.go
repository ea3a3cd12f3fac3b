package main_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// harEntry is one small HAR entry started at date, with a text response
// body.
func harEntry(date string, body string) string {
	return fmt.Sprintf(`{"startedDateTime":%q,"time":3,"request":{"method":"GET","url":"https://a.test/","httpVersion":"h2",`+
		`"headers":[],"cookies":[],"queryString":[],"headersSize":-1,"bodySize":0},"response":{"status":200,"statusText":"OK",`+
		`"httpVersion":"h2","headers":[{"name":"Content-Type","value":"text/plain"}],"cookies":[],"content":{"size":%d,`+
		`"mimeType":"text/plain","text":%q},"redirectURL":"","headersSize":-1,"bodySize":%d},"cache":{},`+
		`"timings":{"blocked":-1,"dns":-1,"connect":-1,"ssl":-1,"send":0,"wait":2,"receive":1}}`, date, len(body), body, len(body))
}

const harHead = `{"log":{"version":"1.2","creator":{"name":"test","version":"1"},"entries":[`

// importing starts `glassbox import` of a FIFO and returns the process and
// the FIFO's writing end, opened once glassbox has opened the file (so its
// signal handling is in place): a source the test controls, that can stay
// silent as a slow disk or a pipe does.
func importing(t *testing.T, home string) (*exec.Cmd, *os.File, *bytes.Buffer) {
	t.Helper()
	fifo := filepath.Join(t.TempDir(), "slow.har")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	cmd := exec.Command(binary, "import", fifo)
	cmd.Env = append(os.Environ(), "GLASSBOX_HOME="+home)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	w.WriteString(harHead)
	for i := range 200 {
		if i > 0 {
			w.WriteString(",")
		}
		w.WriteString(harEntry("2024-01-01T10:00:00.000Z", "hello"))
	}
	return cmd, w, &out
}

// waitExit waits (bounded) for cmd to exit and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd, out *bytes.Buffer) int {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("glassbox import did not stop:\n%s", out)
	}
	return cmd.ProcessState.ExitCode()
}

// SIGINT and SIGTERM stop an import even while its source is silent, and
// what it had stored is removed: no session is left "running".
func TestImportCancelled(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			home := t.TempDir()
			cmd, _, out := importing(t, home)
			cmd.Process.Signal(sig) // the FIFO stays open and silent
			if code := waitExit(t, cmd, out); code != 1 || !strings.Contains(out.String(), "cancelled after") ||
				!strings.Contains(out.String(), "nothing of it was kept") {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			if list, _, _ := glassbox(t, home, "sessions"); !strings.Contains(list, "no sessions") {
				t.Errorf("a cancelled import left:\n%s", list)
			}
		})
	}
}

// An import killed outright leaves its session marked incomplete, with
// its counts, never "running".
func TestImportKilledIsIncomplete(t *testing.T) {
	home := t.TempDir()
	cmd, _, out := importing(t, home)
	cmd.Process.Kill()
	waitExit(t, cmd, out)
	list, _, _ := glassbox(t, home, "sessions")
	if !strings.Contains(list, "incomplete") || strings.Contains(list, "running") {
		t.Errorf("sessions after a killed import:\n%s", list)
	}
}

// Dates glassbox cannot store are refused with the entry's number (year 0
// and 9999 once wrapped silently), bodies are cut at --max-body, and a file
// name that holds escape sequences is shown, not obeyed.
func TestImportChecksEntries(t *testing.T) {
	home := t.TempDir()
	big := strings.Repeat("x", 4096)
	entries := []string{
		harEntry("0000-01-01T00:00:00.000Z", "a"),
		harEntry("9999-12-31T23:59:59.000Z", "b"),
		strings.Replace(harEntry("2024-01-01T10:00:00.000Z", "c"), `"wait":2`, `"wait":1e300`, 1),
		harEntry("2024-01-01T10:00:01.000Z", big),
	}
	name := filepath.Join(t.TempDir(), "evil\x1b]52;c;aGk=\x07\x1b[2J.har")
	if err := os.WriteFile(name, []byte(harHead+strings.Join(entries, ",")+"]}}"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := glassbox(t, home, "import", name, "--max-body", "1KiB")
	for _, want := range []string{"entry 1 skipped: startedDateTime \"0000-01-01", "entry 2 skipped: startedDateTime \"9999-12-31", "entry 3 skipped: a timing"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if code != 0 || !strings.Contains(stdout, "1 entries") || !strings.Contains(stdout, "3 skipped") {
		t.Fatalf("exit %d:\n%s%s", code, stdout, stderr)
	}
	list, _, _ := glassbox(t, home, "sessions")
	for what, out := range map[string]string{"import": stdout + stderr, "sessions": list} {
		if strings.ContainsAny(out, "\x1b\x07") {
			t.Errorf("%s printed a control character: %q", what, out)
		}
	}
	har, _, _ := glassbox(t, home, "export", "--format", "har")
	if !strings.Contains(har, `"text":"`+big[:1024]+`"`) || !strings.Contains(har, `"_truncated":true`) {
		t.Errorf("the body was not cut at --max-body:\n%.2000s", har)
	}
}

// A file that breaks off in the middle is refused, and nothing of it kept.
func TestImportCutFileLeavesNothing(t *testing.T) {
	home := t.TempDir()
	name := filepath.Join(t.TempDir(), "cut.har")
	os.WriteFile(name, []byte(harHead+harEntry("2024-01-01T10:00:00.000Z", "a")+","+harEntry("2024-01-01T10:00:00.000Z", "b")[:90]), 0o600)
	_, stderr, code := glassbox(t, home, "import", name)
	if code != 1 || !strings.Contains(stderr, "ends before its JSON does") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if list, _, _ := glassbox(t, home, "sessions"); !strings.Contains(list, "no sessions") {
		t.Errorf("a failed import left:\n%s", list)
	}
}
