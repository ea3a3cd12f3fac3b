package storetest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store/storetest"
)

// fatalTB records a Fatalf instead of failing the real test, and ends the
// goroutine as Fatalf does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

// run calls Eventually with a recording TB and returns the failure, if any.
func run(t *testing.T, limit time.Duration, cond func() bool) (msg string) {
	tb := &fatalTB{TB: t}
	defer func() {
		if r := recover(); r != nil && r != any(tb) {
			panic(r)
		}
		msg = tb.msg
	}()
	storetest.Eventually(tb, limit, "the condition", cond)
	return ""
}

func TestEventually(t *testing.T) {
	calls := 0
	if msg := run(t, 10*time.Second, func() bool { calls++; return calls == 3 }); msg != "" || calls != 3 {
		t.Errorf("a condition true at the third call: failure %q after %d calls", msg, calls)
	}
	calls = 0
	msg := run(t, 20*time.Millisecond, func() bool { calls++; return false })
	if !strings.Contains(msg, "waiting for the condition") {
		t.Errorf("a condition never true: failure %q", msg)
	}
	if calls < 2 || calls > 20 {
		t.Errorf("a 20ms limit called cond %d times; want a few, bounded", calls)
	}
}
