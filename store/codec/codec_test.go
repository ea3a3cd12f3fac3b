package codec_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/store/codec"
	"github.com/glassbox-dev/glassbox/store/codec/codectest"
)

func encode(t testing.TB, coding string, data []byte) []byte {
	return codectest.Encode(t, coding, data)
}

func TestDecodeEveryCoding(t *testing.T) {
	page := []byte(strings.Repeat("<p>glassbox shows what happened</p>\n", 200))
	for _, tc := range []struct {
		name, header string
		body         []byte
	}{
		{"gzip", "gzip", encode(t, "gzip", page)},
		{"x-gzip", "x-gzip", encode(t, "gzip", page)},
		{"deflate-zlib-framed", "deflate", encode(t, "deflate", page)}, // what RFC 9110 §8.4.1.2 asks for
		{"deflate-raw", "deflate", encode(t, "raw-deflate", page)},     // what some servers send instead
		{"brotli", "br", encode(t, "br", page)},
		{"zstd", "zstd", encode(t, "zstd", page)},
		{"stacked-in-order-applied", "gzip, br", encode(t, "br", encode(t, "gzip", page))},
		{"case-and-space", " GZIP ", encode(t, "gzip", page)},
		{"identity", "identity", page},
		{"none", "", page},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, more, err := codec.Decode(tc.body, tc.header, 1<<20)
			if err != nil || more {
				t.Fatalf("Decode: more=%v err=%v", more, err)
			}
			if !bytes.Equal(out, page) {
				t.Fatalf("decoded %d bytes, want the %d of the page", len(out), len(page))
			}
			if n, ok := codec.Size(tc.body, tc.header, 1<<20); !ok || n != int64(len(page)) {
				t.Fatalf("Size = %d, %v; want %d", n, ok, len(page))
			}
			if !codec.Supported(tc.header) {
				t.Fatalf("Supported(%q) = false", tc.header)
			}
		})
	}
}

func TestDecodeIsBounded(t *testing.T) {
	// 64 MiB of zeros pack into about 64 KiB: a small bomb.
	bomb := encode(t, "gzip", make([]byte, 64<<20))
	out, more, err := codec.Decode(bomb, "gzip", 1<<20)
	if err != nil || !more || len(out) != 1<<20 {
		t.Fatalf("Decode of a bomb: %d bytes, more=%v, err=%v; want the first MiB and more", len(out), more, err)
	}
	if _, ok := codec.Size(bomb, "gzip", 1<<20); ok {
		t.Fatal("Size of a bomb past its limit reported ok")
	}
	if n, ok := codec.Size(bomb, "gzip", 64<<20); !ok || n != 64<<20 {
		t.Fatalf("Size within the limit = %d, %v", n, ok)
	}
}

func TestDecodeCutCopy(t *testing.T) {
	page := bytes.Repeat([]byte("0123456789abcdef"), 1<<14) // 256 KiB that compress poorly enough
	for _, coding := range []string{"gzip", "br", "zstd"} {
		t.Run(coding, func(t *testing.T) {
			whole := encode(t, coding, page)
			cut := whole[:len(whole)*3/4]
			out, _, err := codec.Decode(cut, coding, 1<<20)
			if !errors.Is(err, codec.ErrTruncated) {
				t.Fatalf("err = %v, want ErrTruncated", err)
			}
			if !bytes.HasPrefix(page, out) {
				t.Fatal("the part decoded from a cut copy is not the body's beginning")
			}
			if _, ok := codec.Size(cut, coding, 1<<20); ok {
				t.Fatal("Size of a cut copy reported ok")
			}
		})
	}
}

func TestDecodeRefusesWhatItCannotRead(t *testing.T) {
	var unsupported *codec.UnsupportedError
	if _, _, err := codec.Decode([]byte("x"), "compress", 100); !errors.As(err, &unsupported) || unsupported.Coding != "compress" {
		t.Fatalf("unknown coding: err = %v", err)
	}
	if codec.Supported("gzip, compress") {
		t.Fatal("Supported accepted a stack with an unknown coding")
	}
	if _, _, err := codec.Decode([]byte("not gzip at all"), "gzip", 100); err == nil {
		t.Fatal("a body that is not gzip decoded without error")
	}
}

func TestCodings(t *testing.T) {
	got := strings.Join(codec.Codings("gzip, identity,BR"), "|")
	if got != "gzip|br" {
		t.Fatalf("Codings = %q", got)
	}
}

// FuzzDecode: whatever an origin sends, decoding never panics, never
// returns more than the limit, and says "more" only with a full limit.
func FuzzDecode(f *testing.F) {
	page := []byte("<html><title>seed</title></html>")
	for _, c := range []string{"gzip", "deflate", "raw-deflate", "br", "zstd"} {
		header := c
		if c == "raw-deflate" {
			header = "deflate"
		}
		f.Add(codectest.Encode(f, c, page), header)
	}
	f.Add([]byte{0x1f, 0x8b, 0x08}, "gzip, br")
	f.Fuzz(func(t *testing.T, data []byte, coding string) {
		const limit = 1 << 16
		out, more, err := codec.Decode(data, coding, limit)
		if len(out) > limit || (more && len(out) != limit) || (more && err != nil) {
			t.Fatalf("Decode: %d bytes, more=%v, err=%v", len(out), more, err)
		}
		if n, ok := codec.Size(data, coding, limit); ok && (n > limit || (!more && err == nil && n != int64(len(out)))) {
			t.Fatalf("Size = %d, Decode gave %d", n, len(out))
		}
	})
}

// TestDecodeRangePages: a body read a page at a time, coded or not, comes
// back whole and in order; a page past the end is empty; each page holds
// at most the limit.
func TestDecodeRangePages(t *testing.T) {
	body := []byte(strings.Repeat("0123456789abcdef", 4000)) // 64,000 bytes
	for _, tc := range []struct{ name, coding string }{{"gzip", "gzip"}, {"zstd", "zstd"}, {"identity", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			data := body
			if tc.coding != "" {
				data = encode(t, tc.coding, body)
			}
			const page = 10_000
			var got []byte
			for p := int64(0); ; p++ {
				out, more, err := codec.DecodeRange(context.Background(), data, tc.coding, p*page, page, nil)
				if err != nil || len(out) > page {
					t.Fatalf("page %d: %d bytes, err %v", p, len(out), err)
				}
				got = append(got, out...)
				if !more {
					break
				}
			}
			if !bytes.Equal(got, body) {
				t.Fatalf("pages gave %d bytes, want the body's %d", len(got), len(body))
			}
			var seen bytes.Buffer // what a pretty-printer is shown of the pages before
			if _, _, err := codec.DecodeRange(context.Background(), data, tc.coding, 3*page, page, &seen); err != nil || !bytes.Equal(seen.Bytes(), body[:3*page]) {
				t.Errorf("page 4 was preceded by %d bytes (err %v), want the %d before it", seen.Len(), err, 3*page)
			}
			if out, more, err := codec.DecodeRange(context.Background(), data, tc.coding, 70_000, page, nil); len(out) != 0 || more || err != nil {
				t.Errorf("past the end: %d bytes, more %v, err %v", len(out), more, err)
			}
		})
	}
}

// TestDecodeRangeStopsWithItsContext: skipping to a far page of a bomb
// ends when the context does.
func TestDecodeRangeStopsWithItsContext(t *testing.T) {
	bomb := encode(t, "gzip", make([]byte, 64<<20))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := codec.DecodeRange(ctx, bomb, "gzip", 60<<20, 1<<20, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	out, more, err := codec.DecodeRange(context.Background(), bomb, "gzip", 60<<20, 1<<20, nil)
	if len(out) != 1<<20 || !more || err != nil {
		t.Errorf("page 61 of 64: %d bytes, more %v, err %v", len(out), more, err)
	}
}
