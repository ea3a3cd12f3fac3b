package har

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"fmt"
	"io"
)

// decode undoes a Content-Encoding (RFC 9110 §8.4.1). Brotli and zstd are
// not in Go's standard library: those bodies stay encoded.
func decode(enc string, data []byte) ([]byte, error) {
	var r io.Reader
	switch enc {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		r = zr
	case "deflate":
		r = flate.NewReader(bytes.NewReader(data))
	default:
		return nil, fmt.Errorf("unsupported content-encoding %q", enc)
	}
	out, err := io.ReadAll(io.LimitReader(r, 64<<20))
	return out, err
}
