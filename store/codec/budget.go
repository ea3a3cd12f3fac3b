package codec

import "errors"

// Budget bounds what one export decodes over all its bodies, so a file of
// many small "bombs" costs no more than a few: each call's limit bounds one
// body, the budget the file. It counts decoded bytes two ways:
//
//   - kept: decoded to be written out (the file's size, the export's
//     memory). It starts at ExportKeep and each body decoded adds
//     KeepCredit times its encoded size, so ordinary compression (3 to 10
//     times) never spends it, however large the session, while bombs (a
//     thousand times and more) do.
//   - counted: decoded only to learn a size, never held (the export's
//     time): ExportCount in all.
//
// It also remembers the last body it measured: an export asks about one
// body twice in a row (its content, then its notes), and the second answer
// costs nothing. A nil *Budget bounds nothing but each call's limit. Not
// safe for concurrent use: one export is one goroutine.
type Budget struct {
	keep, count int64
	last        measured
}

// The budget of one export.
const (
	ExportKeep  = 256 << 20 // decoded bytes kept, before credits
	KeepCredit  = 16        // kept bytes allowed per encoded byte decoded
	ExportCount = 4 << 30   // decoded bytes counted: about a second of gzip here
)

// ErrBudget says an export's budget is spent: the body was not decoded (or
// not counted to its end).
var ErrBudget = errors.New("the export has decoded all it may")

// NewBudget returns the budget of one export.
func NewBudget() *Budget { return &Budget{keep: ExportKeep, count: ExportCount} }

// measured is what the budget knows of the last body it decoded or counted.
type measured struct {
	data  *byte // the body, by its first byte and length
	n     int
	enc   string
	size  int64 // the decoded size; with exact false, a lower bound
	exact bool
}

func (m *measured) is(data []byte, enc string) bool {
	return len(data) > 0 && m.data == first(data) && m.n == len(data) && m.enc == enc
}

// first is a body's first byte, which with its length names the body.
func first(data []byte) *byte {
	if len(data) == 0 {
		return nil
	}
	return &data[0]
}

// Decode is the package's Decode within the budget: it returns ErrBudget,
// and nothing, when the body decodes to more than the budget has left
// (but not more than limit: that is more, as Decode says).
func (b *Budget) Decode(data []byte, contentEncoding string, limit int) (out []byte, more bool, err error) {
	if b == nil {
		return Decode(data, contentEncoding, limit)
	}
	b.keep += KeepCredit * int64(len(data))
	lim := min(int64(limit), max(b.keep, 0))
	out, more, err = Decode(data, contentEncoding, int(lim))
	b.keep -= int64(len(out))
	b.last = measured{data: first(data), n: len(data), enc: contentEncoding, size: int64(len(out)), exact: !more && err == nil}
	if more && lim < int64(limit) {
		return nil, false, ErrBudget
	}
	return out, more, err
}

// Measure counts the bytes data decodes to, up to limit, within the
// budget. With ErrTooLarge or ErrBudget, n is how far the count went: the
// body decodes to more. Another error means it does not decode whole.
func (b *Budget) Measure(data []byte, contentEncoding string, limit int64) (n int64, err error) {
	if b == nil {
		return count(data, contentEncoding, limit)
	}
	if m := b.last; m.is(data, contentEncoding) {
		switch {
		case m.exact && m.size <= limit:
			return m.size, nil
		case m.size > limit:
			return limit, ErrTooLarge
		}
	}
	lim := min(limit, max(b.count, 0))
	n, err = count(data, contentEncoding, lim)
	b.count -= n
	b.last = measured{data: first(data), n: len(data), enc: contentEncoding, size: n, exact: err == nil}
	if errors.Is(err, ErrTooLarge) && lim < limit {
		err = ErrBudget
	}
	return n, err
}

// Size is the package's Size within the budget.
func (b *Budget) Size(data []byte, contentEncoding string, limit int64) (n int64, ok bool) {
	n, err := b.Measure(data, contentEncoding, limit)
	return n, err == nil
}
