package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/glassbox-dev/glassbox/store/sqlite"
)

const (
	// storeWait bounds how long glassbox may take to store what it was
	// sent once a phase ends; past it the cell reports the shortfall.
	storeWait = 2 * time.Minute
	// storePoll is how often the database is counted meanwhile: glassbox's
	// writer commits in batches about every 50 ms (100 ms under load), and
	// announces nothing.
	storePoll = 20 * time.Millisecond
)

// flowCounter counts the flows of the (single) session in a glassbox
// database, read-only, while glassbox writes it.
type flowCounter struct {
	path string
	db   *sqlite.DB
}

func (f *flowCounter) count(ctx context.Context) (int64, error) {
	if f.db == nil {
		db, err := sqlite.OpenReadOnly(f.path)
		if err != nil {
			return 0, err
		}
		f.db = db
	}
	s, err := f.db.Session(ctx, 0)
	if err != nil {
		return 0, err
	}
	return s.Flows, nil
}

// waitFor waits until glassbox has stored at least n flows and says how
// long that took after the phase ended: the load generator's requests are
// done, but storing them is part of what they cost glassbox.
func (f *flowCounter) waitFor(ctx context.Context, n int64) (time.Duration, error) {
	start := time.Now()
	var got int64
	var err error
	for i := 0; i < int(storeWait/storePoll); i++ {
		if got, err = f.count(ctx); err == nil && got >= n {
			return time.Since(start), nil
		}
		select {
		case <-ctx.Done():
			return time.Since(start), ctx.Err()
		case <-time.After(storePoll):
		}
	}
	if err != nil {
		return time.Since(start), fmt.Errorf("count glassbox's flows: %w", err)
	}
	return time.Since(start), fmt.Errorf("after %s glassbox had stored %d of %d flows", storeWait, got, n)
}

// final counts once more on a fresh connection, after glassbox exited.
func (f *flowCounter) final(ctx context.Context) (int64, error) {
	f.Close()
	n, err := f.count(ctx)
	f.Close()
	if err != nil {
		return 0, fmt.Errorf("read glassbox's database: %w", err)
	}
	return n, nil
}

// shed counts, after glassbox exited, the flows stored without the copy of
// their response body: glassbox sheds body copies (never flows) when
// bodies arrive faster than SQLite stores them (store/sqlite
// MaxQueueBytes). Every response of the benchmark has a body.
func (f *flowCounter) shed(ctx context.Context) (int64, error) {
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: f.path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM flows f WHERE f.resp_body_size > 0
		AND NOT EXISTS (SELECT 1 FROM bodies b WHERE b.session_id = f.session_id AND b.flow_id = f.id AND b.which = 1)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count flows stored without their body: %w", err)
	}
	return n, nil
}

// storedBytes sums, after glassbox exited, the response-body bytes it
// kept.
func (f *flowCounter) storedBytes(ctx context.Context) (int64, error) {
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: f.path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return -1, err
	}
	defer db.Close()
	var n int64
	// A body of 64 KiB or more lives in the body file beside the database
	// (store/sqlite bodyfile.go): its row holds its size.
	if err := db.QueryRowContext(ctx, `SELECT coalesce(sum(CASE WHEN file_offset >= 0 THEN file_size ELSE length(data) END), 0)
		FROM bodies WHERE which = 1`).Scan(&n); err != nil {
		return -1, fmt.Errorf("sum the stored response bodies: %w", err)
	}
	return n, nil
}

func (f *flowCounter) Close() {
	if f.db != nil {
		f.db.Close()
		f.db = nil
	}
}

// fetchProfile starts collecting a CPU profile of d from the proxy's
// --pprof listener into path; the returned func waits for it.
func fetchProfile(ctx context.Context, addr string, d time.Duration, path string) func() error {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	errc := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second+30*time.Second)
		defer cancel()
		u := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, secs)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			errc <- err
			return
		}
		resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Do(req)
		if err != nil {
			errc <- err
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			errc <- fmt.Errorf("profile: %s", resp.Status)
			return
		}
		out, err := os.Create(path)
		if err != nil {
			errc <- err
			return
		}
		_, err = io.Copy(out, resp.Body)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		errc <- err
	}()
	return func() error { return <-errc }
}
