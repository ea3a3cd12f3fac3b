package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/glassbox-dev/glassbox/store"
)

// The defaults of WriterOptions; each field says why its value.
const (
	DefaultQueue         = 16384
	DefaultBatch         = 4096
	DefaultLinger        = 50 * time.Millisecond
	DefaultBusyLinger    = 100 * time.Millisecond
	DefaultMaxQueueBytes = 64 << 20
)

// WriterOptions tune a Writer. Zero values take the defaults.
type WriterOptions struct {
	// Queue is how many values may wait for the writer goroutine before
	// Record starts dropping them (default 16384: several seconds of a busy
	// browser, a fraction of a second of a benchmark).
	Queue int
	// Batch is the most values committed in one transaction (default 4096:
	// BusyLinger's worth at 40,000 flows/s). One transaction per batch
	// instead of per row is what makes 20k+ rows/s possible: with 2 KB
	// bodies, batches stored 20-26k rows/s where a commit per row stored
	// 11-12k.
	Batch int
	// Linger is how long the writer waits, after the first value of a batch,
	// for more before committing a partial one (default 50ms). Commits cost
	// more than rows: every commit rewrites the last pages of each table and
	// index into the WAL, so at a few thousand flows/s a 5ms linger (about
	// 40 flows a commit) spent a third of the writer's time committing. 50ms
	// is still five times quicker than the live inspector polls (250ms).
	// A Flush commits at once.
	Linger time.Duration
	// BusyLinger is the linger after a busy batch, one of busyValues values
	// or more (thousands of flows a second; default 100ms, or Linger if
	// that is longer). Each commit still cost about 2 ms of the proxy's CPU
	// (WAL frames for the last pages of every table and index, the
	// transaction's own work, a wake-up): BEGIN and COMMIT were 4.9% of it
	// at 24 commits a second (https-32 of `make bench`). Committing every
	// 200 ms under such a load took 2.4% off the CPU a request (two
	// processes under the same load at once, twelve runs: 0.95x-1.00x);
	// every 100 ms did as well at 10,000 flows/s (0.99x against 200 ms)
	// and held less: the queue waiting for a commit is part of the live
	// heap the collector multiplies (GOGC), 77 MiB at peak against 89. A
	// live view cannot show flows one by one at such rates, and a
	// browser's page loads never make a batch busy. What kill -9 loses is
	// what was not committed: up to BusyLinger's worth under such a load.
	BusyLinger time.Duration
	// Block makes Record wait for room instead of dropping: for importers
	// and tests, never for the proxy.
	Block bool
	// MaxQueueBytes bounds the body bytes waiting in the queue (default
	// 64 MiB). Past it, flows are queued without their body copies: when
	// bodies arrive faster than SQLite can store them (1 MiB bodies at
	// hundreds of MiB/s), memory stays bounded and every flow is still
	// recorded. Bodies in memory their capturer lends (store.BodyBuffer)
	// are bounded by it and not counted against this bound (they still
	// make the writer commit early: pilingUp). Ignored with Block.
	MaxQueueBytes int64
	// OnError is told about write failures (full disk, read-only file). It
	// is called from the writer goroutine, at most once per second.
	OnError func(error)
}

// Writer is the store.Recorder of one session: Record* queue values for a
// single goroutine that batches them into transactions.
type Writer struct {
	db        *DB
	sessionID int64
	opts      WriterOptions
	ch        chan item
	kick      chan struct{} // cuts the linger short; buffered 1
	done      chan struct{}

	mu     sync.RWMutex // guards closed against sends racing Close
	closed bool

	queued, written, dropped, failed atomic.Int64
	shed, queuedBytes, queuedLent    atomic.Int64
	// runRows counts the flows written in runs (multirow.go), for tests.
	runRows    atomic.Int64
	lastErr    atomic.Value // string
	lastReport time.Time
	seen       idSet // used by the writer goroutine only
	// stmts are the writer's prepared statements on conn, the
	// connection they were prepared on (writetx.go); writer goroutine only.
	stmts map[string]*sqlite3.SQLiteStmt
	conn  *sqlite3.SQLiteConn
}

var (
	_ store.Recorder     = (*Writer)(nil)
	_ store.BodyAdmitter = (*Writer)(nil)
)

type item struct {
	bytes int64 // body bytes this item holds in the queue, in memory of its own
	// lent is the body bytes it holds in memory lent by their capturer
	// (store.BodyBuffer), which bounds them: MaxQueueBytes does not.
	lent   int64
	flow   *store.Flow
	conn   *store.Conn
	lookup *store.Lookup
	page   *store.Page
	msgs   []store.Message
	// flush, when set, is closed once everything queued before it is committed.
	flush chan struct{}
}

// NewWriter starts the writer goroutine for a session.
func (db *DB) NewWriter(sessionID int64, opts WriterOptions) *Writer {
	if opts.Queue <= 0 {
		opts.Queue = DefaultQueue
	}
	if opts.Batch <= 0 {
		opts.Batch = DefaultBatch
	}
	if opts.Linger <= 0 {
		opts.Linger = DefaultLinger
	}
	if opts.BusyLinger <= 0 {
		opts.BusyLinger = max(DefaultBusyLinger, opts.Linger)
	}
	if opts.MaxQueueBytes <= 0 {
		opts.MaxQueueBytes = DefaultMaxQueueBytes
	}
	w := &Writer{db: db, sessionID: sessionID, opts: opts, ch: make(chan item, opts.Queue), kick: make(chan struct{}, 1), done: make(chan struct{})}
	w.lastErr.Store("")
	go w.loop()
	return w
}

// SessionID is the session this writer records into.
func (w *Writer) SessionID() int64 { return w.sessionID }

// RecordFlow implements store.Recorder.
func (w *Writer) RecordFlow(f *store.Flow) {
	var n, lent int64
	for _, b := range [2]*store.Body{&f.ReqBody, &f.RespBody} {
		if b.Buffer != nil {
			lent += int64(len(b.Data))
		} else {
			n += int64(len(b.Data))
		}
	}
	if n > 0 && !w.opts.Block && w.queuedBytes.Load()+n > w.opts.MaxQueueBytes {
		light := *f
		light.ReqBody = shedBody(f.ReqBody)
		light.RespBody = shedBody(f.RespBody)
		w.shed.Add(1)
		f, n = &light, 0
	}
	w.send(item{flow: f, bytes: n, lent: lent})
}

// release gives the capturer back the memory of f's bodies
// (store.BodyBuffer) once the writer no longer reads them. It leaves f as
// it is: the proxy may still be reading its other fields.
func release(f *store.Flow) {
	for _, b := range [2]*store.Body{&f.ReqBody, &f.RespBody} {
		if b.Buffer != nil {
			b.Buffer.Release()
		}
	}
}

// AdmitBody implements store.BodyAdmitter with the rule RecordFlow sheds
// by: the body bytes queued, plus these, within MaxQueueBytes.
func (w *Writer) AdmitBody(n int64) bool {
	if w.opts.Block || n <= 0 || w.queuedBytes.Load()+n <= w.opts.MaxQueueBytes {
		return true
	}
	w.shed.Add(1)
	return false
}

// shedBody drops a body copy in memory of its own; one in lent memory is
// bounded by its lender and kept.
func shedBody(b store.Body) store.Body {
	if len(b.Data) > 0 && b.Buffer == nil {
		b.Data, b.Truncated, b.Shed = nil, true, true
	}
	return b
}

// RecordConn implements store.Recorder.
func (w *Writer) RecordConn(c *store.Conn) { w.send(item{conn: c}) }

// RecordLookup implements store.Recorder.
func (w *Writer) RecordLookup(l *store.Lookup) { w.send(item{lookup: l}) }

// RecordPage implements store.Recorder.
func (w *Writer) RecordPage(p *store.Page) { w.send(item{page: p}) }

func (w *Writer) send(it item) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		w.drop(it)
		return
	}
	if w.opts.Block {
		w.ch <- it
		w.queued.Add(1)
		return
	}
	select {
	case w.ch <- it:
		w.queued.Add(1)
		if it.bytes+it.lent > 0 && w.pilingUp(w.queuedBytes.Add(it.bytes), w.queuedLent.Add(it.lent)) {
			w.wake()
		}
	default:
		w.drop(it)
	}
}

// pilingUp says whether bodies are piling up in the queue, bytes of
// their own and lent ones, so that the writer should commit now rather
// than at the end of its linger: at 1.5 GiB/s of 1 MiB bodies, 50 ms of
// linger is 75 MiB, past the whole budget, and bodies were shed while the
// writer slept. Bodies of their own count from a quarter of MaxQueueBytes,
// which bounds them. Lent ones count half as much (from half of it, 32 MiB
// by default): their capturer's pool bounds them instead (128 MiB in the
// proxy), and part of a transaction's cost does not grow with what it
// holds (BEGIN, COMMIT, reading the change number, caches gone cold since
// the last one), so fewer, larger ones cost less a body. On large-4 (1 MiB
// bodies) that took 5% off the proxy's CPU a request (median of 5 rounds;
// less in every round), for about 25 MiB more memory at peak (issue 20,
// docs/BENCHMARKS.md).
func (w *Writer) pilingUp(bytes, lent int64) bool {
	return bytes+lent/2 > w.opts.MaxQueueBytes/4
}

// drop counts a value the queue had no room for (or that came after
// Close).
func (w *Writer) drop(it item) {
	w.dropped.Add(1)
	if it.flow != nil {
		release(it.flow)
	}
}

// Stats implements store.Recorder.
func (w *Writer) Stats() store.RecorderStats {
	return store.RecorderStats{
		Queued:     w.queued.Load(),
		Written:    w.written.Load(),
		Dropped:    w.dropped.Load(),
		Failed:     w.failed.Load(),
		BodiesShed: w.shed.Load(),
		LastError:  w.lastErr.Load().(string),
	}
}

// Flush waits until everything recorded so far is committed (or ctx ends).
func (w *Writer) Flush(ctx context.Context) error {
	ch := make(chan struct{})
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return nil
	}
	select {
	case w.ch <- item{flush: ch}:
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()
	w.wake()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting values, commits everything queued and returns once
// it is on disk (or ctx ends). Values recorded after Close are dropped and
// counted.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.ch)
	}
	w.mu.Unlock()
	w.wake()
	select {
	case <-w.done:
	case <-ctx.Done():
		return fmt.Errorf("writer still draining %d values: %w", len(w.ch), ctx.Err())
	}
	if s := w.Stats(); s.Failed > 0 {
		return fmt.Errorf("%d values could not be written: %s", s.Failed, s.LastError)
	}
	return nil
}

func (w *Writer) loop() {
	defer close(w.done)
	defer w.closeStatements()
	batch := make([]item, 0, w.opts.Batch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	linger := w.opts.Linger
	for {
		it, ok := <-w.ch // asleep until there is work
		if !ok {
			return
		}
		batch = append(batch[:0], it)
		if it.flush == nil && len(w.ch) < w.opts.Batch {
			// Let the batch gather without being woken for each value (a
			// goroutine wake-up per flow showed in the proxy's profile):
			// sleep out the linger, cut short by Flush or Close, then take
			// whatever has queued meanwhile.
			timer.Reset(linger)
			select {
			case <-timer.C:
			case <-w.kick:
				timer.Stop() // since Go 1.23 no stale tick is left to drain
			}
		}
		closed := false
	drain:
		for len(batch) < w.opts.Batch {
			select {
			case it, ok := <-w.ch:
				if !ok {
					closed = true
					break drain
				}
				batch = append(batch, it)
			default:
				break drain
			}
		}
		w.commit(batch)
		linger = w.lingerAfter(values(batch))
		clear(batch) // drop references to bodies
		if closed {
			return
		}
	}
}

// busyValues is the size of a batch after which the writer lingers
// BusyLinger: 256 values in the default 50 ms is 5,000 a second.
const busyValues = 256

// lingerAfter is the linger of the batch after one of n values.
func (w *Writer) lingerAfter(n int) time.Duration {
	if n >= busyValues {
		return w.opts.BusyLinger
	}
	return w.opts.Linger
}

// wake cuts the writer's linger short (Flush and Close want it now).
func (w *Writer) wake() {
	select {
	case w.kick <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// values counts the items of batch that are values to write (not flushes).
func values(batch []item) int {
	n := 0
	for _, it := range batch {
		if it.flush == nil {
			n++
		}
	}
	return n
}

func (w *Writer) commit(batch []item) {
	if n := values(batch); n > 0 {
		if err := w.write(batch); err == nil {
			w.written.Add(int64(n))
		} else if n == 1 {
			w.fail(1, err)
		} else {
			w.salvage(batch, err)
		}
	}
	for _, it := range batch {
		if it.flush != nil {
			close(it.flush)
		}
		if it.flow != nil {
			release(it.flow) // stored, or failed for good
		}
		if it.bytes > 0 {
			w.queuedBytes.Add(-it.bytes)
		}
		if it.lent > 0 {
			w.queuedLent.Add(-it.lent)
		}
	}
}

// maxSalvageFailures is how many values in a row may fail, once a batch
// has, before the rest of the batch is given up on: a full disk refuses
// each of them, and the writer should not spend seconds hearing it.
const maxSalvageFailures = 16

// salvage writes the values of a failed batch one transaction each, so
// that one bad value, or a disk with room for only part of a batch (a
// batch may hold a thousand flows), costs only what does not fit.
func (w *Writer) salvage(batch []item, err error) {
	failures := 0
	for i, it := range batch {
		if it.flush != nil {
			continue
		}
		if failures >= maxSalvageFailures {
			w.fail(int64(values(batch[i:])), err)
			return
		}
		if err = w.write([]item{it}); err != nil {
			failures++
			w.fail(1, err)
			continue
		}
		failures = 0
		w.written.Add(1)
	}
}

// fail counts n values lost to err and reports it (at most once a second).
func (w *Writer) fail(n int64, err error) {
	w.failed.Add(n)
	w.lastErr.Store(err.Error())
	if w.opts.OnError != nil && time.Since(w.lastReport) > time.Second {
		w.lastReport = time.Now()
		w.opts.OnError(err)
	}
}

var errNoID = errors.New("value has no ID")
