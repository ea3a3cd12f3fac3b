package sqlite

import (
	"encoding/json"
	"math/rand"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/glassbox-dev/glassbox/store"
)

// checkHeadersJSON: the hand-written encoding is valid JSON and decodes to
// what encoding/json's encoding of the same pairs decodes to (invalid UTF-8
// included, which both turn into U+FFFD), proxy credentials not recorded.
func checkHeadersJSON(t *testing.T, h store.Headers) {
	t.Helper()
	got, _ := headersJSON(h).(string)
	if !json.Valid([]byte(got)) {
		t.Fatalf("headersJSON(%q) = %q: not valid JSON", h, got)
	}
	pairs := make([][2]string, len(h))
	for i, f := range h {
		pairs[i] = [2]string{f.Name, f.Value}
		if store.ProxyCredential(f.Name) {
			pairs[i][1], h[i].Value = store.NotRecorded, store.NotRecorded
		}
	}
	want, _ := json.Marshal(pairs)
	var a, b [][2]string
	if err := json.Unmarshal([]byte(got), &a); err != nil {
		t.Fatalf("decode %q: %v", got, err)
	}
	if err := json.Unmarshal(want, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("headersJSON(%q) decodes to %q, encoding/json's to %q", h, a, b)
	}
	// And the reader gets back exactly what was recorded when it was valid UTF-8.
	valid := true
	for _, f := range h {
		valid = valid && utf8.ValidString(f.Name) && utf8.ValidString(f.Value)
	}
	if back := parseHeaders(got); valid && !reflect.DeepEqual(back, h) {
		t.Fatalf("round trip: %q became %q", h, back)
	}
}

func TestHeadersJSON(t *testing.T) {
	if headersJSON(nil) != nil {
		t.Error("an empty block is stored as NULL")
	}
	tricky := []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\x00\x01\x1f\x7f",
		"<script>&amp;</script>", "é ü 日本 🙂", "\u2028\u2029", "bad \xff\xfe utf-8", "cut \xe6\x97", "\xc0\x80"}
	for _, s := range tricky {
		checkHeadersJSON(t, store.Headers{{Name: s, Value: s}, {Name: "X", Value: s + s}})
	}
	r := rand.New(rand.NewSource(7))
	for i := 0; i < 2000; i++ {
		h := make(store.Headers, 1+r.Intn(4))
		for j := range h {
			name, value := make([]byte, r.Intn(12)), make([]byte, r.Intn(40))
			r.Read(name)
			r.Read(value)
			h[j] = store.Header{Name: string(name), Value: string(value)}
		}
		checkHeadersJSON(t, h)
	}
}

// A proxy credential is never stored, whatever recorded it and however its
// name is written.
func TestProxyCredentialNotStored(t *testing.T) {
	h := store.Headers{{Name: "proxy-AUTHORIZATION", Value: "Basic YWxpY2U6czNjcmV0"}, {Name: "Authorization", Value: "Bearer kept"}}
	got, _ := headersJSON(h).(string)
	if want := `[["proxy-AUTHORIZATION","[not recorded]"],["Authorization","Bearer kept"]]`; got != want {
		t.Fatalf("stored %s, want %s", got, want)
	}
}

func FuzzHeadersJSON(f *testing.F) {
	f.Add("Content-Type", "text/html; charset=\"utf-8\"")
	f.Add("X-Bad", "\xff\x00\n")
	f.Fuzz(func(t *testing.T, name, value string) {
		checkHeadersJSON(t, store.Headers{{Name: name, Value: value}})
	})
}

func BenchmarkHeadersJSON(b *testing.B) {
	h := store.Headers{{Name: "Host", Value: "shop.test"}, {Name: "User-Agent", Value: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"},
		{Name: "Accept", Value: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, {Name: "Accept-Language", Value: "en-US,en;q=0.9"},
		{Name: "Accept-Encoding", Value: "gzip, deflate, br"}, {Name: "Cookie", Value: "session=abc123; theme=dark"}}
	b.ReportAllocs()
	for b.Loop() {
		_ = headersJSON(h)
	}
}
