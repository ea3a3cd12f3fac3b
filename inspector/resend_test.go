package inspector

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/store/sqlite"
	"github.com/glassbox-dev/glassbox/store/storetest"
)

// x sends the selected flow again through Options.Resend without
// credentials; X asks first and sends them. The new flow, recorded in
// the session (here by the test, as the proxy would), is selected when it
// arrives, and its Story says it is a resend.
func TestResendKeys(t *testing.T) {
	fx := newFixture(t)
	var mu sync.Mutex
	var calls []string
	next := int64(16)
	resend := func(ctx context.Context, session, id int64, withCreds bool) (int64, string, error) {
		mu.Lock()
		calls = append(calls, fmt.Sprintf("s%d #%d creds=%v", session, id, withCreds))
		n := next
		next++
		mu.Unlock()
		w := fx.db.NewWriter(session, sqlite.WriterOptions{Block: true})
		f := get(n, 0, 0, "https://api.shop.test/cart", 201, 9000, 9040)
		f.Method, f.ResendOf = "POST", id
		w.RecordFlow(f)
		if err := w.Close(ctx); err != nil {
			return 0, "", err
		}
		return n, fmt.Sprintf("#%d sent again as #%d: 201 in 40 ms", id, n), nil
	}
	h := start(t, Options{Reader: fx.db, Resend: resend, Poll: 5 * time.Millisecond}, 120, 40)
	h.press(down(linePost), "x")
	storetest.Eventually(t, 10*time.Second, "the resent flow to be selected", func() bool {
		h.sync()
		return strings.Contains(h.text(), "flow #16")
	})
	h.contains("#10 sent again as #16")
	h.press(tcell.KeyEnter)
	h.contains("Sent again by glassbox", "sent flow #10 again")

	h.press(tcell.KeyEsc, "X")
	h.contains("send #16 again WITH its recorded Cookie and Authorization")
	h.press("n")
	h.contains("nothing changed")
	h.press("X", "y")
	storetest.Eventually(t, 10*time.Second, "the second resend", func() bool {
		h.sync()
		return strings.Contains(h.text(), "flow #17")
	})
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 2 || calls[0] != "s2 #10 creds=false" || calls[1] != "s2 #16 creds=true" {
		t.Errorf("resends: %q", calls)
	}
}

// Without Options.Resend (glassbox inspect --read-only) the key says why
// nothing happens.
func TestResendUnavailable(t *testing.T) {
	h := start(t, Options{Reader: newFixture(t).db}, 120, 40)
	h.press(down(linePost), "x")
	h.contains("this inspector cannot send requests")
}
