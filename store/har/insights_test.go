package har_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/glassbox-dev/glassbox/store/diagnose"
	"github.com/glassbox-dev/glassbox/store/har"
)

// TestExportInsights: each page carries its diagnosis as _insights.
func TestExportInsights(t *testing.T) {
	db, id := fixture(t)
	var doc struct {
		Log struct {
			Pages []har.Page `json:"pages"`
		} `json:"log"`
	}
	if err := json.Unmarshal(export(t, db, id, har.Options{}), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Log.Pages) != 1 || doc.Log.Pages[0].Insights == nil {
		t.Fatalf("pages %+v: want one with _insights", doc.Log.Pages)
	}
	in := doc.Log.Pages[0].Insights
	// The document, the image and its resend answered 200 without ETag or
	// Last-Modified; the stylesheet's 304 and the API's POST are no matter.
	var got []int64
	for _, f := range in.Findings {
		if f.Kind == diagnose.KindNoValidator {
			got = f.Flows
			if f.Numbers["responses"] != "3" || f.Fix == "" || f.Evidence == "" {
				t.Errorf("the finding's numbers, fix or evidence: %+v", f)
			}
		}
	}
	if want := []int64{1, 3, 7}; !reflect.DeepEqual(got, want) {
		t.Errorf("%s about flows %v, want %v (all: %+v)", diagnose.KindNoValidator, got, want, in.Findings)
	}
	if len(in.CriticalPath) == 0 || in.CriticalPath[0].Flow != 1 || in.CriticalPath[len(in.CriticalPath)-1].Flow != 7 {
		t.Errorf("critical path %+v, want from the document (1) to the last request (7)", in.CriticalPath)
	}
	// One lookup, two TCP handshakes, one TLS 1.3 handshake, five requests
	// (x.js failed at its lookup: it sent none).
	if want := (har.InsightTrips{Total: 9, DNS: 1, TCP: 2, TLS: 1, Requests: 5}); in.RoundTrips != want {
		t.Errorf("round trips %+v, want %+v", in.RoundTrips, want)
	}
	var ssl float64
	for _, p := range in.ByPhase {
		if p.Phase == "ssl" {
			ssl = p.Time
		}
	}
	if ssl != 2 { // at(500) to at(2500)
		t.Errorf("TLS over the page: %v ms, want 2", ssl)
	}
}
