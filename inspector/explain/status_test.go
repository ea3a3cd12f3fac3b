package explain_test

import (
	"encoding/csv"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/explain"
)

// registryRow is one assigned code of the IANA HTTP Status Code Registry.
type registryRow struct {
	code        int
	description string
	reference   string
}

// readRegistry reads testdata/http-status-codes.csv, IANA's own CSV export
// (columns Value,Description,Reference; unassigned ranges as "105-199").
func readRegistry(t *testing.T) []registryRow {
	t.Helper()
	f, err := os.Open("testdata/http-status-codes.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(records[0], ","); got != "Value,Description,Reference" {
		t.Fatalf("header = %q, want IANA's Value,Description,Reference", got)
	}
	var rows []registryRow
	for _, r := range records[1:] {
		if r[1] == "Unassigned" {
			continue
		}
		code, err := strconv.Atoi(r[0])
		if err != nil {
			t.Fatalf("assigned row %q has no single code: %v", r, err)
		}
		rows = append(rows, registryRow{code, r[1], r[2]})
	}
	return rows
}

// temporary matches the dates IANA appends to a temporary registration:
// they describe the registration, not the code.
var temporary = regexp.MustCompile(`\s*\(TEMPORARY - [^)]*\)$`)

// refCitation turns IANA's first reference into the words our Ref must
// contain: "[RFC9110, Section 15.3.1]" -> "RFC 9110 §15.3.1",
// "[RFC2518]" -> "RFC 2518", "[draft-ietf-x-05]" -> "draft-ietf-x".
func refCitation(ref string) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(ref, "["), "]")
	if rfc, section, ok := strings.Cut(first, ", Section "); ok {
		return "RFC " + strings.TrimPrefix(rfc, "RFC") + " §" + section
	}
	if strings.HasPrefix(first, "RFC") {
		return "RFC " + strings.TrimPrefix(first, "RFC")
	}
	return regexp.MustCompile(`-\d+$`).ReplaceAllString(first, "")
}

func TestStatusCodesCoverIANARegistry(t *testing.T) {
	rows := readRegistry(t)
	if len(rows) < 60 {
		t.Fatalf("registry has %d assigned codes; the CSV looks cut short", len(rows))
	}
	for _, r := range rows {
		t.Run(strconv.Itoa(r.code), func(t *testing.T) {
			s := explain.StatusCode(r.code)
			if s.Code != r.code {
				t.Errorf("Code = %d", s.Code)
			}
			if want := temporary.ReplaceAllString(r.description, ""); s.Reason != want {
				t.Errorf("Reason = %q, IANA says %q", s.Reason, want)
			}
			for field, v := range map[string]string{"Meaning": s.Meaning, "Browser": s.Browser, "Ref": s.Ref, "Class": s.Class} {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s is empty", field)
				}
			}
			if strings.Contains(s.Meaning, "not registered") {
				t.Errorf("registered code explained as unregistered: %q", s.Meaning)
			}
			if want := refCitation(r.reference); !strings.Contains(s.Ref, want) {
				t.Errorf("Ref = %q, want it to cite %q (IANA: %s)", s.Ref, want, r.reference)
			}
			if strings.Contains(s.Ref, "7231") || strings.Contains(s.Meaning+s.Browser, "RFC 7231") {
				t.Errorf("cites the obsolete RFC 7231: %q", s.Ref)
			}
		})
	}
	// And nothing beyond the registry: StatusCodes lists exactly its codes.
	if got, want := len(explain.StatusCodes()), len(rows); got != want {
		t.Errorf("StatusCodes has %d entries, the registry %d", got, want)
	}
}

func TestStatusCodeFallsBackToClass(t *testing.T) {
	for _, tc := range []struct {
		name  string
		code  int
		class string
		note  string
	}{
		{"unassigned-success", 299, "2xx Success", "not registered"},               // a code a server made up inside a known class
		{"unassigned-client-error", 499, "4xx Client Error", "not registered"},     // nginx's "client closed request"
		{"unassigned-redirection", 399, "3xx Redirection", "300 Multiple Choices"}, // an unknown 3xx acts as 300
		{"below-range", 99, "not a status code", "100 to 599"},                     // not HTTP at all
		{"above-range", 600, "not a status code", "100 to 599"},                    // not HTTP at all
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := explain.StatusCode(tc.code)
			if s.Class != tc.class {
				t.Errorf("Class = %q, want %q", s.Class, tc.class)
			}
			if !strings.Contains(s.Meaning+" "+s.Browser, tc.note) {
				t.Errorf("Meaning+Browser = %q %q, want it to mention %q", s.Meaning, s.Browser, tc.note)
			}
			if s.Reason == "" || s.Ref == "" || s.Browser == "" {
				t.Errorf("empty field in %+v", s)
			}
		})
	}
}

func TestClasses(t *testing.T) {
	want := []string{"1xx Informational", "2xx Success", "3xx Redirection", "4xx Client Error", "5xx Server Error"}
	got := explain.Classes()
	if len(got) != len(want) {
		t.Fatalf("Classes() has %d entries, want %d", len(got), len(want))
	}
	for i, c := range got {
		if c.Name != want[i] || c.Meaning == "" {
			t.Errorf("Classes()[%d] = %+v, want name %q and a meaning", i, c, want[i])
		}
		if code := (i + 1) * 100; explain.Class(code+50).Name != want[i] {
			t.Errorf("Class(%d) = %q, want %q", code+50, explain.Class(code+50).Name, want[i])
		}
	}
}
