package main

import (
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// floor is what the machine itself can store, measured in the directory
// glassbox's databases go to (issue 20): the file system's sequential
// write rate, and SQLite's own rate of inserting 1 MiB blobs with
// glassbox's settings. glassbox's stored MiB/s is reported as a fraction
// of each: a body store cannot beat the disk, and one in SQLite cannot
// beat SQLite.
type floor struct {
	SeqMiBps, SQLiteMiBps float64
	Err                   string
}

// floorMiB is how much each measurement writes: enough to pass the
// page cache's first absorption on this class of machine, small enough
// to take a few seconds.
const floorMiB = 256

func measureFloor(dir string) floor {
	var f floor
	blob := make([]byte, 1<<20)
	rand.Read(blob) // distinct bytes: nothing to compress or share
	var err error
	if f.SeqMiBps, err = seqWrite(dir, blob); err != nil {
		f.Err = err.Error()
		return f
	}
	if f.SQLiteMiBps, err = sqliteInsert(dir, blob); err != nil {
		f.Err = err.Error()
	}
	return f
}

// seqWrite writes floorMiB in 1 MiB writes and syncs, as an append-only
// store would.
func seqWrite(dir string, blob []byte) (float64, error) {
	path := filepath.Join(dir, "floor-seq")
	defer os.Remove(path)
	file, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer file.Close()
	start := time.Now()
	for range floorMiB {
		if _, err := file.Write(blob); err != nil {
			return 0, fmt.Errorf("sequential write: %w", err)
		}
	}
	if err := file.Sync(); err != nil {
		return 0, err
	}
	return floorMiB / time.Since(start).Seconds(), nil
}

// sqliteInsert inserts floorMiB blobs of 1 MiB, 8 per transaction, into
// a database with glassbox's settings (store/sqlite: WAL, synchronous
// NORMAL, 16 KiB pages), the WAL's checkpoints included.
func sqliteInsert(dir string, blob []byte) (float64, error) {
	path := filepath.Join(dir, "floor.db")
	defer func() {
		for _, s := range []string{"", "-wal", "-shm"} {
			os.Remove(path + s)
		}
	}()
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_synchronous=NORMAL")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{"PRAGMA page_size = 16384", "PRAGMA journal_mode = WAL",
		"CREATE TABLE bodies (id INTEGER PRIMARY KEY, data BLOB NOT NULL)"} {
		if _, err := db.Exec(q); err != nil {
			return 0, fmt.Errorf("sqlite: %s: %w", q, err)
		}
	}
	start := time.Now()
	for i := 0; i < floorMiB; i += 8 {
		tx, err := db.Begin()
		if err != nil {
			return 0, err
		}
		for range 8 {
			if _, err := tx.Exec("INSERT INTO bodies (data) VALUES (?)", blob); err != nil {
				tx.Rollback()
				return 0, fmt.Errorf("sqlite insert: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return floorMiB / time.Since(start).Seconds(), nil
}

// storedMiBps is the response-body bytes glassbox stored per second in a
// cell: the forwarded rate times the share of the forwarded bodies'
// bytes it kept (warm-up included on both sides).
func storedMiBps(c cell, size int64) float64 {
	if c.Sent <= 0 || size <= 0 || c.StoredBytes < 0 {
		return -1
	}
	return c.MiBps * float64(c.StoredBytes) / float64(c.Sent*size)
}

// line says the floor and, from the large-body cells, glassbox's stored
// MiB/s (median over rounds) as a fraction of each.
func (f *floor) line(cells []cell) string {
	if f.Err != "" {
		return "the floor could not be measured: " + f.Err
	}
	s := fmt.Sprintf("this machine writes %.0f MiB/s sequentially to the databases' file system, and SQLite with glassbox's settings (WAL, synchronous NORMAL, 16 KiB pages) inserts 1 MiB blobs at %.0f MiB/s", f.SeqMiBps, f.SQLiteMiBps)
	sc, ok := scenarioByName("large-4")
	if !ok {
		return s
	}
	var stored []float64
	for _, c := range cells {
		if c.Scenario == sc.Name && c.Target == proxyGlassbox {
			stored = append(stored, storedMiBps(c, sc.Size))
		}
	}
	st := statOf(stored)
	if st.N == 0 {
		return s
	}
	return s + fmt.Sprintf("; glassbox stored %s's response bodies at %.0f MiB/s (median of %d rounds): %.0f%% of the disk's rate, %.0f%% of SQLite's", sc.Name, st.Med, st.N, 100*st.Med/f.SeqMiBps, 100*st.Med/f.SQLiteMiBps)
}
