//go:build unix

package sqlite_test

import (
	"context"
	"runtime"
	"syscall"
	"testing"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// BenchmarkWriterSmall is the writer's CPU per flow of the kind the
// per-request scenarios record (a 67-byte response, as http-16-hey's): the
// process's user and system time over the run, divided by the flows, which
// are made as they are recorded so that no heap of waiting flows makes the
// collector's work grow with b.N. It includes making each flow (about a
// microsecond). Issue 20 judges the writer's changes by user-ns/flow.
func BenchmarkWriterSmall(b *testing.B) {
	db, _ := mustOpen(b)
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	body := make([]byte, 67)
	runtime.GC()
	var r0, r1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.RecordFlow(sampleFlow(int64(i+1), body))
	}
	if err := w.Close(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
	b.ReportMetric(float64(r1.Utime.Nano()-r0.Utime.Nano())/float64(b.N), "user-ns/flow")
	b.ReportMetric(float64(r1.Stime.Nano()-r0.Stime.Nano())/float64(b.N), "sys-ns/flow")
	if st := w.Stats(); st.Written != int64(b.N) {
		b.Fatalf("written %d of %d", st.Written, b.N)
	}
}
