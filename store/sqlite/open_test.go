package sqlite_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// openEnv names the database TestOpenOnce opens when a test starts this
// test binary again as another process.
const openEnv = "GLASSBOX_TEST_OPEN"

// TestOpenOnce is the other process of TestConcurrentCreate: it opens the
// database of openEnv, and does nothing when that is unset.
func TestOpenOnce(t *testing.T) {
	path := os.Getenv(openEnv)
	if path == "" {
		t.Skip("run by TestConcurrentCreate")
	}
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

// Glassboxes started at once on a database that does not exist yet all
// open it: one failed with "table sessions already exists", because the
// check of which versions were applied ran outside the transaction that
// applied them. Processes (this test binary, started again) and
// connections of one process alike.
func TestConcurrentCreate(t *testing.T) {
	for round := range 3 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("new-%d.db", round))
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 4 {
			wg.Go(func() {
				cmd := exec.Command(os.Args[0], "-test.run=^TestOpenOnce$", "-test.count=1")
				cmd.Env = append(os.Environ(), openEnv+"="+path)
				if out, err := cmd.CombinedOutput(); err != nil {
					errs <- fmt.Errorf("process: %v\n%s", err, out)
				}
			})
			wg.Go(func() {
				db, err := sqlite.Open(path)
				if err != nil {
					errs <- fmt.Errorf("connection: %w", err)
					return
				}
				db.Close()
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v", round, err)
		}
	}
}

// The -wal and -shm files hold the same captures as the database: they
// are tightened like it, and so is glassbox's own directory, which the
// README promises is 0700. A directory chosen with --db is the user's and
// is left as it is (tightening /tmp or a home directory would break other
// things); the files in it are 0600.
func TestCompanionFilesArePrivate(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	t.Setenv("GLASSBOX_HOME", home)
	path, err := sqlite.DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, p := range []string{path + "-wal", path + "-shm"} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, 0o644)
	}
	os.Chmod(home, 0o755)
	db, err = sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for p, want := range map[string]os.FileMode{home: 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %v", p, st.Mode().Perm(), err, want)
		}
	}
	own := filepath.Join(t.TempDir(), "mine")
	os.Mkdir(own, 0o755)
	db2, err := sqlite.Open(filepath.Join(own, "capture.db"))
	if err != nil {
		t.Fatal(err)
	}
	db2.Close()
	if st, _ := os.Stat(own); st.Mode().Perm() != 0o755 {
		t.Errorf("the user's directory was changed to %v", st.Mode().Perm())
	}
}
