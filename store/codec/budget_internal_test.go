package codec

import (
	"errors"
	"math"
	"testing"

	"github.com/glassbox-dev/glassbox/store/codec/codectest"
)

func gzipped(t *testing.T, n int) []byte { return codectest.Encode(t, "gzip", make([]byte, n)) }

// A budget bounds the bodies of one export together: decoding stops once
// what is kept passes the allowance and its credits, counting once the
// count allowance is spent, and a body measured twice in a row is decoded
// once.
func TestBudget(t *testing.T) {
	body := gzipped(t, 100<<10) // 100 KiB of zeros: a few hundred bytes
	b := &Budget{keep: 150 << 10, count: 250 << 10}
	if out, more, err := b.Decode(body, "gzip", 1<<20); err != nil || more || len(out) != 100<<10 {
		t.Fatalf("first body: %d bytes, more %v, %v", len(out), more, err)
	}
	if n, err := b.Measure(body, "gzip", 1<<30); err != nil || n != 100<<10 || b.count != 250<<10 {
		t.Fatalf("the same body measured again: %d, %v, count left %d (want it untouched)", n, err, b.count)
	}
	other := gzipped(t, 100<<10)
	if _, _, err := b.Decode(other, "gzip", 1<<20); !errors.Is(err, ErrBudget) {
		t.Fatalf("a second body past what is left: %v, want ErrBudget", err)
	}
	if out, more, err := b.Decode(other, "gzip", 10); err != nil || !more || len(out) != 10 {
		t.Fatalf("a body cut by its own limit is not the budget's doing: %d bytes, more %v, %v", len(out), more, err)
	}
	if n, err := b.Measure(gzipped(t, 200<<10), "gzip", 1<<30); err != nil || n != 200<<10 {
		t.Fatalf("counting within the budget: %d, %v", n, err)
	}
	if n, err := b.Measure(gzipped(t, 200<<10), "gzip", 1<<30); !errors.Is(err, ErrBudget) || n != 50<<10 {
		t.Fatalf("counting past the budget: %d, %v; want 50 KiB and ErrBudget", n, err)
	}
	var unlimited *Budget
	if n, ok := unlimited.Size(body, "gzip", 1<<20); !ok || n != 100<<10 {
		t.Fatalf("a nil budget: %d, %v", n, ok)
	}
	if n, err := unlimited.Measure(body, "gzip", math.MaxInt64); err != nil || n != 100<<10 {
		t.Fatalf("no limit at all: %d, %v", n, err)
	}
}
