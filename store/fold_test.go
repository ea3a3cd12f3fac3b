package store

import (
	"math/rand"
	"strings"
	"testing"
)

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// compareFold orders exactly as comparing strings.ToLower of both does.
func TestCompareFold(t *testing.T) {
	alphabet := []string{"a", "A", "z", "Z", "-", "0", "_", "é", "É", "ß", "\xff", "K", "k", "\u212a"} // U+212A KELVIN SIGN lowers to k
	r := rand.New(rand.NewSource(3))
	word := func() string {
		var b strings.Builder
		for n := r.Intn(6); n > 0; n-- {
			b.WriteString(alphabet[r.Intn(len(alphabet))])
		}
		return b.String()
	}
	for i := 0; i < 20000; i++ {
		a, b := word(), word()
		if got, want := sign(compareFold(a, b)), strings.Compare(strings.ToLower(a), strings.ToLower(b)); got != want {
			t.Fatalf("compareFold(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
}

func BenchmarkSortHeaders(b *testing.B) {
	names := []string{"Content-Type", "Cache-Control", "Date", "Server", "Set-Cookie", "Set-Cookie", "Vary", "Etag", "Content-Length", "Last-Modified"}
	h := make(Headers, len(names))
	b.ReportAllocs()
	for b.Loop() {
		for i, n := range names {
			h[i] = Header{Name: n}
		}
		sortHeaders(h)
	}
}
