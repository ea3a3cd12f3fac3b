package main_test

import (
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store/storetest"
)

// A glassbox killed with -9 leaves its session open; the next start
// closes it at the last thing recorded and says it was interrupted,
// while a session another glassbox still records stays open.
func TestInterruptedSession(t *testing.T) {
	home := t.TempDir()
	dns := loopbackDNS(t)
	killed := startProxy(t, home, "--dns", dns)
	origin := okOrigin(t).URL
	client, _ := trustingClient(t, home, killed.addr)
	resp, err := client.Get(origin + "/one")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	storetest.Eventually(t, 10*time.Second, "the flow to be stored", func() bool { return stored(t, home, 1, 1) })
	killed.cmd.Process.Kill()
	<-killed.done

	alive := startProxy(t, home, "--dns", dns) // session 2, closes session 1
	if log := alive.logText(); !strings.Contains(log, "session 1 was interrupted") || !strings.Contains(log, "with 1 flow and 0 page loads") {
		t.Errorf("the next start does not say session 1 was interrupted:\n%s", log)
	}
	third := startProxy(t, home, "--dns", dns) // session 3: session 2 is recording
	if strings.Contains(third.logText(), "session 2 was interrupted") {
		t.Errorf("a session still recording was closed:\n%s", third.logText())
	}
	out, _, code := glassbox(t, home, "sessions")
	lines := strings.Split(out, "\n")
	if code != 0 || !strings.Contains(out, "interrupted") || len(lines) < 4 {
		t.Fatalf("sessions:\n%s", out)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) > 0 && (f[0] == "2" || f[0] == "3") && !strings.Contains(l, "running") {
			t.Errorf("a recording session is not running: %q", l)
		}
		if len(f) > 0 && f[0] == "1" && !strings.Contains(l, "interrupted") {
			t.Errorf("session 1: %q", l)
		}
	}
	third.stop(t)
	alive.stop(t)
}
