package explain_test

import (
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

// TestEveryErrorKindIsExplained walks store.Failures, every phase and kind
// glassbox records, and finds an explanation of its own for each; and it
// finds no explanation for a pair glassbox never records, but each
// phase's general text.
func TestEveryErrorKindIsExplained(t *testing.T) {
	listed := map[string]bool{}
	for _, k := range explain.ErrorKinds() {
		listed[k] = true
	}
	recorded := map[string]bool{}
	for _, fl := range store.Failures {
		key := fl.Phase + "/" + fl.Kind
		recorded[key] = true
		t.Run(fl.Phase+"-"+fl.Kind, func(t *testing.T) {
			if !listed[key] {
				t.Errorf("ErrorKinds() lacks %s: it would fall back to a general text", key)
			}
			p := explain.Error(&store.FlowError{Phase: fl.Phase, Kind: fl.Kind, Message: "x"})
			for field, v := range map[string]string{"Title": p.Title, "What": p.What, "Why": p.Why, "Fix": p.Fix, "Ref": p.Ref} {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s is empty", field)
				}
			}
			if strings.Contains(p.Ref, "8499") || strings.Contains(p.Ref, "6125") || strings.Contains(p.Ref, "7231") {
				t.Errorf("Ref %q cites an obsoleted RFC", p.Ref)
			}
		})
	}
	for k := range listed {
		// "phase/error" is also the phase's general text, for kinds without
		// their own (a capture from another version, an imported HAR).
		if !recorded[k] && !strings.HasSuffix(k, "/error") {
			t.Errorf("%s is explained but glassbox never records it: add it to store.Failures where it is recorded, or drop the text", k)
		}
	}
}

func TestErrorFallbacks(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  *store.FlowError
		want string // in the Title
	}{
		{"nil", nil, ""}, // no error, no problem
		{"unknown-kind-falls-back-to-phase", &store.FlowError{Phase: store.PhaseTLS, Kind: "new-kind"}, "could not be secured"}, // a kind added to the proxy before its text
		{"unknown-phase-timeout", &store.FlowError{Phase: "quic", Kind: "timeout"}, "Timed out while quic"},                     // a future phase that timed out
		{"unknown-phase", &store.FlowError{Phase: "quic", Kind: "odd"}, "Failed while quic"},                                    // a future phase, any failure
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := explain.Error(tc.err).Title; !strings.Contains(got, tc.want) || (tc.want == "" && got != "") {
				t.Errorf("Error(%+v).Title = %q, want it to contain %q", tc.err, got, tc.want)
			}
		})
	}
	if got := explain.Summary(&store.FlowError{Phase: "dns", Kind: "nxdomain"}); got != "dns nxdomain: The name does not exist (NXDOMAIN)" {
		t.Errorf("Summary = %q", got)
	}
}
