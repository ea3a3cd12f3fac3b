package main

import (
	"context"
	"io"
	"log"
	"path/filepath"
	"testing"

	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// What openStore makes, its teardown undoes: the session it started is
// ended (never left "running") and the database is closed. startProxy runs
// the same teardown when a later step fails, and Stop when it stops.
func TestStoreTeardownEndsTheSession(t *testing.T) {
	path := filepath.Join(t.TempDir(), "glassbox.db")
	rp := &runningProxy{logger: log.New(io.Discard, "", 0), Listen: []string{"127.0.0.1:1"}}
	if err := rp.openStore(context.Background(), proxyConfig{dbPath: path}); err != nil {
		t.Fatal(err)
	}
	id := rp.Session.ID
	rp.teardown.run()
	rp.teardown.run() // a second run does nothing
	if _, err := rp.DB.Sessions(context.Background()); err == nil {
		t.Error("the database is still open after the teardown")
	}
	db, err := sqlite.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.Session(context.Background(), id)
	if err != nil || s.Ended.IsZero() {
		t.Errorf("session %d after the teardown: %+v %v; want it ended", id, s, err)
	}
}
