package main

import (
	"path/filepath"

	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// exportDirUsage is the help of the --export-dir flag of glassbox and
// glassbox inspect.
const exportDirUsage = "folder the inspector's export keys (e E r R c C) write into (default: exports beside the default database, $GLASSBOX_HOME/exports or the user data directory's glassbox/exports)"

// exportDirOrDefault is the folder the inspector's exports go to: the flag,
// made absolute so the status line shows a path that works from anywhere,
// or "exports" beside the default database (never the working directory,
// which under `make run` is the repository: issue 19).
func exportDirOrDefault(flag string) (string, error) {
	if flag != "" {
		return filepath.Abs(flag)
	}
	db, err := sqlite.DefaultPath()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(db), "exports"), nil
}
