package main_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// captured is a GLASSBOX_HOME holding recordForInspect's capture.db.
func captured(t *testing.T) (home, dbPath string) {
	home = t.TempDir()
	dbPath = filepath.Join(home, "capture.db")
	recordForInspect(t, dbPath)
	return home, dbPath
}

// The line export ends with counts what the file holds: the page's flows
// for --page, the filter's for --filter, not the session's (issue 19).
func TestExportCountsWhatTheFileHolds(t *testing.T) {
	home, dbPath := captured(t) // page 1: 4 flows, page 2: 1, session: 5
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "md", "--page", "1"}, "wrote page load 1 of session 1 (4 flows) to "},
		{[]string{"--format", "har", "--filter", "status:4xx"}, "wrote session 1, filter status:4xx (1 flow) to "},
		{[]string{"--format", "curl", "--flow", "2"}, "wrote flow 2 of session 1 (1 flow) to "},
		{[]string{"--format", "html"}, "wrote session 1 (5 flows) to "},
	} {
		out := filepath.Join(t.TempDir(), "x")
		_, errOut, code := glassbox(t, home, append([]string{"export", "--db", dbPath, "-o", out}, tt.args...)...)
		if code != 0 || !strings.Contains(errOut, tt.want) {
			t.Errorf("export %s: exit %d, said %q, want %q", strings.Join(tt.args, " "), code, errOut, tt.want)
		}
	}
}
