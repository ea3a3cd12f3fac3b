package main_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
	"github.com/glassbox-dev/glassbox/store/storetest"
)

// seededBody is response n of seededOrigin: 200 KiB no other response
// shares, so a body read back from the wrong place cannot pass.
func seededBody(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < 200<<10; i++ {
		fmt.Fprintf(&b, "%d.%d ", n, i)
	}
	return b.Bytes()[:200<<10]
}

func seededOrigin(t *testing.T) *httptest.Server {
	var next atomic.Int64
	o := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(next.Add(1))
		w.Header().Set("X-Seed", strconv.Itoa(n))
		w.Write(seededBody(n))
	}))
	t.Cleanup(o.Close)
	return o
}

// Large bodies go to the body file beside the database. kill -9 in the
// middle of a load of them: every body of a committed flow reads back
// whole and right, and `export --format sqlite` makes one file of the
// session that holds them all.
func TestKill9KeepsLargeBodies(t *testing.T) {
	o := seededOrigin(t)
	home := t.TempDir()
	p := startProxy(t, home)
	stop := make(chan struct{})
	run := load(p.addr, o.URL+"/big", 4, 1<<30, stop)
	defer func() {
		close(stop)
		run.wait()
	}()
	storetest.Eventually(t, 60*time.Second, "60 flows committed while the load goes on", func() bool { return committedFlows(home) >= 60 })
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done

	path := filepath.Join(home, "glassbox.db")
	if st, err := os.Stat(path + sqlite.BodyFileSuffix); err != nil || st.Size() < 200<<10 {
		t.Fatalf("body file: %v %v", st, err)
	}
	db, err := sqlite.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	check := func(r store.Reader, where string) int {
		t.Helper()
		kept := 0
		err := store.EachFlow(ctx, r, store.FlowQuery{SessionID: 1, WithBodies: true}, 20, func(f *store.Flow) error {
			seed, _ := strconv.Atoi(f.RespHeaders.Get("X-Seed"))
			switch {
			case f.End.IsZero():
				// in flight at the kill: recorded as it was, no body yet
			case f.RespBody.Data == nil && f.RespBody.Truncated:
				// not kept (shed, or cut by the kill), and said so
			case !bytes.Equal(f.RespBody.Data, seededBody(seed)):
				t.Errorf("%s: flow %d holds %d bytes that are not response %d's", where, f.ID, len(f.RespBody.Data), seed)
			default:
				kept++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return kept
	}
	kept := check(db, "after kill -9")
	t.Logf("%d bodies kept whole after kill -9", kept)
	if kept < 30 {
		t.Errorf("only %d bodies kept", kept)
	}

	out := filepath.Join(t.TempDir(), "one.db")
	_, errOut, code := glassbox(t, home, "export", "--format", "sqlite", "-o", out)
	if code != 0 || !strings.Contains(errOut, "every body inside") {
		t.Fatalf("export --format sqlite: %d %s", code, errOut)
	}
	if _, err := os.Stat(out + sqlite.BodyFileSuffix); err == nil {
		t.Errorf("the SQLite export has a body file beside it")
	}
	one, err := sqlite.OpenReadOnly(out)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	if got := check(one, "the SQLite export"); got != kept {
		t.Errorf("the export holds %d bodies, the recording %d", got, kept)
	}
	if _, errOut, code := glassbox(t, home, "export", "--format", "sqlite"); code == 0 || !strings.Contains(errOut, "-o FILE") {
		t.Errorf("to standard output: %d %s", code, errOut)
	}
}
