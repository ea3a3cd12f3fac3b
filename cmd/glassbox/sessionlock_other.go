//go:build !(linux || darwin || freebsd || openbsd || netbsd)

package main

// Without flock, a session's proxy cannot be shown gone: sessions that
// were never closed stay "running".

func holdSessionLock(string, int64) (func(), error) { return func() {}, nil }

func sessionRecording(string, int64) bool { return true }
