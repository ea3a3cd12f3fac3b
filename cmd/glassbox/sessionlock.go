//go:build linux || darwin || freebsd || openbsd || netbsd

package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// A recording proxy holds a lock on a file of its own for as long as it
// runs: DB.running/ID beside the database. The kernel releases the lock
// when the process ends, however it ends (kill -9 included), so a later
// start that can take the lock of a session still open knows nobody
// records it any more, where a process ID could have been reused.

// runningDir is where the sessions' lock files are.
func runningDir(dbPath string) string { return dbPath + ".running" }

func lockPath(dbPath string, id int64) string {
	return filepath.Join(runningDir(dbPath), strconv.FormatInt(id, 10))
}

// holdSessionLock takes the lock of session id and keeps it until
// release, which also removes the file.
func holdSessionLock(dbPath string, id int64) (release func(), err error) {
	if err := os.MkdirAll(runningDir(dbPath), 0o700); err != nil {
		return nil, err
	}
	path := lockPath(dbPath, id)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		os.Remove(path)
		f.Close()
	}, nil
}

// sessionRecording reports whether a process holds session id's lock.
// A session without a lock file was opened by a glassbox from before
// the locks, or its file was removed: nobody can be shown to record it.
func sessionRecording(dbPath string, id int64) bool {
	f, err := os.OpenFile(lockPath(dbPath, id), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		return true // cannot tell: leave it open
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	os.Remove(f.Name())
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}
