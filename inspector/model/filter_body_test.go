package model_test

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bodyFlows: a gzipped HTML answer, a JSON request body, an imported
// (already decoded) body that still names its coding, and no body.
func bodyFlows(t *testing.T) []store.Flow {
	html := flow(1, 1, "https://shop.test/", 200, 0, 10, 0)
	html.RespHeaders = store.Headers{{Name: "Content-Encoding", Value: "gzip"}}
	html.RespBody = store.Body{Data: gzipped(t, "<title>Winter SALE</title>"), Size: 40}
	post := flow(2, 1, "https://api.shop.test/cart", 201, 5, 10, 0)
	post.ReqBody = store.Body{Data: []byte(`{"sku":"A-1","qty":2}`), Size: 21}
	post.RespBody = store.Body{Data: []byte(`{"total":"19.90"}`), Size: 17}
	imported := flow(3, 1, "https://shop.test/a.json", 200, 6, 10, 0)
	imported.RespHeaders = store.Headers{{Name: "Content-Encoding", Value: "br"}}
	imported.RespBody = store.Body{Data: []byte(`{"error":"database timeout"}`), Size: 28, Decoded: true}
	empty := flow(4, 1, "https://shop.test/sale", 204, 7, 1, 0)
	return []store.Flow{html, post, imported, empty}
}

func TestBodyTerms(t *testing.T) {
	tests := []struct {
		expr string
		want string // IDs of the matching flows
	}{
		{"body:sale", "1"},               // decoded from gzip, any case; the URL does not count
		{"body:A-1", "2"},                // the request body
		{"body:19.90", "2"},              // the response body
		{`body:"database timeout"`, "3"}, // quoted words; imported bodies are not decoded twice
		{`body~qty\W+\d`, "2"},           // a regular expression (quotes group words, as in free text)
		{`body~(?i)winter\s+sale`, "1"},  // (?i) for any case
		{"-body:sale", "2 3 4"},          // negation
		{"body:sale body:winter", "1"},   // two body terms: both
		{"sale -body:sale", "4"},         // URL text and a body term together
		{"body:total status:201", "2"},   // with another key
	}
	flows := bodyFlows(t)
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.expr, " ", "_"), func(t *testing.T) {
			f, got := matching(t, tt.expr, flows)
			if got != tt.want || !f.HasBody() {
				t.Errorf("%q matched %q (body terms: %v), want %q", tt.expr, got, f.HasBody(), tt.want)
			}
		})
	}
}

// On list rows, a body term answers from the hits of the scan so far: a
// flow not scanned yet matches neither the term nor its negation.
func TestBodyTermsOnRowsWaitForTheScan(t *testing.T) {
	flows := bodyFlows(t)
	m := model.New()
	m.Add(flows)
	m.SetMode(model.ModeFlat)
	m.SetHeight(10)
	f, err := model.ParseFilter("-body:sale")
	if err != nil {
		t.Fatal(err)
	}
	m.SetFilter(f)
	if m.Shown() != 0 {
		t.Errorf("before any scan %d rows shown", m.Shown())
	}
	scan := model.NewBodyHits()
	for i := range flows[:2] {
		scan.Set(flows[i].ID, f.ScanFlow(&flows[i]))
	}
	scan.Reached(2)
	f.Hits().Add(scan)
	m.SetFilter(f)
	if m.Shown() != 1 || m.RowAt(0).ID != 2 {
		t.Errorf("after scanning flows 1-2: %d shown", m.Shown())
	}
	if f.Hits().UpTo() != 2 {
		t.Errorf("UpTo %d", f.Hits().UpTo())
	}
}

func TestBodyTermErrors(t *testing.T) {
	for expr, want := range map[string]string{
		"body:":                      "what text?",
		"body~(":                     "not a regular expression",
		"body>3":                     "body takes body:TEXT or body~REGEX",
		`body:"open`:                 "quote is not closed",
		strings.Repeat("body:a ", 9): "at most 8 body terms",
	} {
		if _, err := model.ParseFilter(expr); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one saying %q", expr, err, want)
		}
	}
	// ~ is an operator of body only: elsewhere it is text.
	if f, err := model.ParseFilter("~user"); err != nil || f.HasBody() {
		t.Errorf("~user: %v, body %v", err, f.HasBody())
	}
}
