package export_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/export"
	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
)

func filter(t *testing.T, expr string) model.Filter {
	t.Helper()
	f, err := model.ParseFilter(expr)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// exported lists the flow IDs an export holds: HAR's _glassbox.flow, the
// "# #ID" line above each curl command.
func exported(t *testing.T, format export.Format, out []byte) []int64 {
	t.Helper()
	var ids []int64
	if format == export.FormatCurl {
		for _, m := range regexp.MustCompile(`(?m)^# #(\d+) `).FindAllSubmatch(out, -1) {
			id, _ := strconv.ParseInt(string(m[1]), 10, 64)
			ids = append(ids, id)
		}
		return ids
	}
	var doc struct {
		Log struct {
			Entries []struct {
				Raw struct{ Flow int64 } `json:"_glassbox"`
			}
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	for _, e := range doc.Log.Entries {
		ids = append(ids, e.Raw.Flow)
	}
	return ids
}

// A scope (page, flows, filter) selects the same flows in HAR and curl,
// and the result counts them.
func TestScope(t *testing.T) {
	tests := []struct {
		name string
		opt  export.Options
		want []int64
	}{
		{"session", export.Options{}, []int64{1, 2, 3, 4, 5, 6, 7}},
		{"page-with-its-frame", export.Options{PageID: 1}, []int64{1, 2, 3, 4, 5, 6}},
		{"flows", export.Options{Flows: []int64{7, 3}}, []int64{3, 7}},
		{"filter", export.Options{Filter: filter(t, "status>=400")}, []int64{4}},
		{"page-and-filter", export.Options{PageID: 1, Filter: filter(t, "type:script")}, []int64{5}},
		{"flows-and-filter", export.Options{Flows: []int64{1, 2, 3}, Filter: filter(t, "-status:3xx")}, []int64{2, 3}},
	}
	for _, tt := range tests {
		for _, format := range []export.Format{export.FormatHAR, export.FormatCurl} {
			if format == export.FormatCurl && tt.opt.PageID > 0 {
				continue // curl's page is the page load's own flows (no frames)
			}
			t.Run(tt.name+"-"+string(format), func(t *testing.T) {
				opt := tt.opt
				opt.Format = format
				out, res := write(t, opt)
				if got := exported(t, format, out); !slices.Equal(got, tt.want) {
					t.Errorf("exported flows %v, want %v", got, tt.want)
				}
				if res.Flows != len(tt.want) {
					t.Errorf("result counts %d flows, want %d", res.Flows, len(tt.want))
				}
			})
		}
	}
}

// Every HAR export carries the explanations: _notes on the entries.
func TestHARHasNotes(t *testing.T) {
	out, _ := write(t, export.Options{Format: export.FormatHAR})
	var doc struct {
		Log struct {
			Entries []struct {
				Response struct{ Status int }
				Notes    []string `json:"_notes"`
			}
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	for i, e := range doc.Log.Entries {
		if len(e.Notes) == 0 {
			t.Errorf("entry %d (status %d) has no _notes", i, e.Response.Status)
		}
	}
}

// Credentials are redacted in every format unless NoRedact.
func TestRedaction(t *testing.T) {
	for _, format := range []export.Format{export.FormatHAR, export.FormatCurl} {
		t.Run(string(format), func(t *testing.T) {
			out, _ := write(t, export.Options{Format: format, Flows: []int64{7}})
			if strings.Contains(string(out), "s3cret") || !strings.Contains(string(out), "[redacted by glassbox]") {
				t.Errorf("redacted export:\n%s", out)
			}
			out, _ = write(t, export.Options{Format: format, Flows: []int64{7}, NoRedact: true})
			if !strings.Contains(string(out), "uid=s3cret") {
				t.Errorf("--no-redact export lost the cookie:\n%s", out)
			}
		})
	}
}

func TestUnknownFormat(t *testing.T) {
	db, id := recorded(t)
	if _, err := export.Write(context.Background(), db, &strings.Builder{}, export.Options{Format: "xml", SessionID: id}); err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("format xml: %v", err)
	}
}

// WriteFile leaves a 0600 file, or nothing at all when the export fails.
func TestWriteFile(t *testing.T) {
	db, id := recorded(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "s.har")
	if _, err := export.WriteFile(context.Background(), db, path, export.Options{Format: export.FormatHAR, SessionID: id}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("export file: %v %v", st, err)
	}
	gone := filepath.Join(dir, "missing.har")
	_, err := export.WriteFile(context.Background(), db, gone, export.Options{Format: export.FormatHAR, SessionID: id + 1})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("export of a missing session: %v", err)
	}
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Errorf("a failed export left files behind: %v", names)
	}
}
