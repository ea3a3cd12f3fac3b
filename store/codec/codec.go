// Package codec undoes HTTP content codings (RFC 9110 §8.4): gzip,
// deflate in both framings, brotli (RFC 7932) and zstd (RFC 8878), and
// stacks of them ("gzip, br"). It is the one body decoder of glassbox:
// the inspector's Body tab, the explanations, page titles, HAR and the
// reports all decode through it, so a body that one of them can read, all
// can.
//
// Output is always bounded by the caller's limit, so a small "bomb" (a few
// KiB that unpack to gigabytes) costs no more than the limit. A stored copy
// cut by --max-body decodes as far as it goes: Decode returns what came out
// and ErrTruncated.
//
// Brotli and zstd come from github.com/andybalholm/brotli and
// github.com/klauspost/compress, pure Go and widely used; the package
// imports nothing else of glassbox, so store may use it.
package codec

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// ErrTruncated says the encoded input ended before its end: the stored copy
// was cut, or the body broke off. What was decoded is still returned.
var ErrTruncated = errors.New("the encoded body ends early (cut copy or broken stream)")

// UnsupportedError names a content coding glassbox does not decode.
type UnsupportedError struct{ Coding string }

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("content coding %q is not one glassbox decodes (gzip, deflate, br, zstd)", e.Coding)
}

// zstdMaxMemory bounds what a zstd frame may ask the decoder to allocate
// for its window (RFC 8878 §3.1.1.1.2 lets a frame ask for up to 3.75 TB;
// browsers accept windows of 8 MiB to 128 MiB).
const zstdMaxMemory = 128 << 20

// Codings splits a Content-Encoding value into its codings, in the order
// they were applied, lower case, without "identity".
func Codings(contentEncoding string) []string {
	var out []string
	for _, c := range strings.Split(contentEncoding, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		if c != "" && c != "identity" {
			out = append(out, c)
		}
	}
	return out
}

// Supported reports whether every coding of a Content-Encoding value can be
// undone.
func Supported(contentEncoding string) bool {
	for _, c := range Codings(contentEncoding) {
		switch c {
		case "gzip", "x-gzip", "deflate", "br", "zstd":
		default:
			return false
		}
	}
	return true
}

// Decode undoes contentEncoding on data and returns at most limit bytes of
// the result; more reports whether the decoded body goes on past them.
// With no coding (or "identity") it returns data itself, cut at limit.
// An error other than ErrTruncated means nothing usable came out.
func Decode(data []byte, contentEncoding string, limit int) (out []byte, more bool, err error) {
	if limit < 0 {
		limit = 0
	}
	r, closeAll, err := NewReader(bytes.NewReader(data), contentEncoding)
	if err != nil {
		return nil, false, err
	}
	defer closeAll()
	return readPage(r, limit, len(data))
}

// readPage reads at most limit bytes of the decoder r, of an encoded body
// of n bytes, and one more to learn whether the body goes on.
func readPage(r io.Reader, limit, n int) (out []byte, more bool, err error) {
	if limit < 0 {
		limit = 0
	}
	// Most bodies unpack to a few times their size: start there.
	out, err = readAtMost(r, limit, max(64<<10, 4*n))
	if err == nil && len(out) == limit {
		// Full: one more byte says whether the body goes on.
		var one [1]byte
		n, perr := io.ReadFull(r, one[:])
		if n > 0 {
			return out, true, nil
		}
		if perr != io.EOF {
			err = perr
		}
	}
	return out, false, readErr(err)
}

// DecodeRange is Decode from the decoded byte from on: it decodes and
// drops the first from bytes, then returns at most limit bytes of what
// follows; more reports whether the body goes on past them. It is how a
// large body is read a page at a time: a page holds limit bytes, whichever
// page it is, though reaching page n decodes the n before it. A body that
// ends before from returns nothing and more false. ctx stops the decoding
// early, with its error. skipped, when not nil, is given the bytes before
// from as they are decoded (a pretty-printer learns from them where in the
// document the page starts); nil drops them.
func DecodeRange(ctx context.Context, data []byte, contentEncoding string, from int64, limit int, skipped io.Writer) (out []byte, more bool, err error) {
	if from <= 0 {
		return Decode(data, contentEncoding, limit)
	}
	if len(Codings(contentEncoding)) == 0 { // nothing to undo: the page is a slice
		if skipped != nil {
			skipped.Write(data[:min(from, int64(len(data)))])
		}
		if from >= int64(len(data)) {
			return nil, false, nil
		}
		out = data[from:]
		return out[:min(len(out), max(limit, 0))], len(out) > limit, nil
	}
	r, closeAll, err := NewReader(bytes.NewReader(data), contentEncoding)
	if err != nil {
		return nil, false, err
	}
	defer closeAll()
	if skipped == nil {
		skipped = io.Discard
	}
	for done := int64(0); done < from; {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		n, err := io.CopyN(skipped, r, min(from-done, skipChunk))
		done += n
		if err == io.EOF {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, readErr(err)
		}
	}
	return readPage(r, limit, len(data))
}

// skipChunk is how much DecodeRange decodes between two looks at its
// context: a few milliseconds of gzip.
const skipChunk = 4 << 20

// readAtMost reads r to its end or to limit bytes, whichever comes first,
// into a buffer of guess bytes that doubles when full but never grows past
// limit: a buffer grown for one byte more than the limit was twice the
// limit, and clearing the memory was most of a 64 MiB decode's time.
func readAtMost(r io.Reader, limit, guess int) ([]byte, error) {
	buf := make([]byte, 0, min(limit, guess))
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			buf = append(make([]byte, 0, min(2*cap(buf), limit)), buf...)
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// Size counts the bytes data decodes to, reading no more than limit of
// them; ok is false when the body decodes to more than limit, or does not
// decode whole.
func Size(data []byte, contentEncoding string, limit int64) (n int64, ok bool) {
	n, err := count(data, contentEncoding, limit)
	return n, err == nil
}

// ErrTooLarge says a body decodes to more than the limit it was measured
// against.
var ErrTooLarge = errors.New("decodes to more than the limit")

// count counts the bytes data decodes to, reading no more than limit of
// them. With ErrTooLarge, n is limit: the body goes on past it.
func count(data []byte, contentEncoding string, limit int64) (n int64, err error) {
	r, closeAll, err := NewReader(bytes.NewReader(data), contentEncoding)
	if err != nil {
		return 0, err
	}
	defer closeAll()
	if limit < math.MaxInt64 { // no limit past the largest count
		r = io.LimitReader(r, limit+1)
	}
	n, err = io.Copy(io.Discard, r)
	switch {
	case err != nil:
		return n, readErr(err)
	case n > limit:
		return limit, ErrTooLarge
	}
	return n, nil
}

// NewReader returns a reader of r's decoded content. closeAll releases the
// decoders (zstd's hold memory until closed); call it when done.
func NewReader(r io.Reader, contentEncoding string) (dec io.Reader, closeAll func(), err error) {
	codings := Codings(contentEncoding)
	var closers []func()
	closeAll = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	dec = r
	// The last coding applied is the first to undo (RFC 9110 §8.4).
	for i := len(codings) - 1; i >= 0; i-- {
		next, done, err := decoder(dec, codings[i])
		if err != nil {
			closeAll()
			return nil, func() {}, err
		}
		dec = next
		if done != nil {
			closers = append(closers, done)
		}
	}
	return dec, closeAll, nil
}

func decoder(r io.Reader, coding string) (io.Reader, func(), error) {
	switch coding {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, headerErr("gzip", err)
		}
		return zr, nil, nil
	case "deflate":
		return deflateReader(r)
	case "br":
		return brotli.NewReader(r), nil, nil
	case "zstd":
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(zstdMaxMemory))
		if err != nil {
			return nil, nil, headerErr("zstd", err)
		}
		return zr, zr.Close, nil
	}
	return nil, nil, &UnsupportedError{Coding: coding}
}

// deflateReader reads HTTP's "deflate": a zlib stream (RFC 9110 §8.4.1.2,
// RFC 1950), or the raw deflate stream (RFC 1951) some servers send
// instead. The two are told apart by zlib's two-byte header: compression
// method 8 and a check value that makes the pair a multiple of 31.
func deflateReader(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(2)
	if len(head) == 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, nil, headerErr("deflate", err)
		}
		return zr, nil, nil
	}
	return flate.NewReader(br), nil, nil
}

func headerErr(coding string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ErrTruncated
	}
	return fmt.Errorf("%s: %w", coding, err)
}

// readErr maps the decoders' ways of saying "the input ended early" to
// ErrTruncated.
func readErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return ErrTruncated
	}
	return err
}
