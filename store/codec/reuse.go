package codec

import (
	"compress/gzip"
	"io"
)

// Reuser decodes many bodies one after another, reading every body coded
// once with gzip (most of the web's) through the same gzip reader: a new
// one holds a new 32 KiB window, and making one per body was 84% of the
// bytes a search of 100,000 bodies allocated (docs/BENCHMARKS.md, "Body
// search"). Other codings go through NewReader. The zero Reuser is ready;
// one goroutine uses it, one body at a time.
type Reuser struct{ gz *gzip.Reader }

// NewReader is the package's NewReader, reusing the gzip reader: the
// reader it returns is good until the next call.
func (u *Reuser) NewReader(r io.Reader, contentEncoding string) (dec io.Reader, closeAll func(), err error) {
	codings := Codings(contentEncoding)
	if len(codings) != 1 || (codings[0] != "gzip" && codings[0] != "x-gzip") {
		return NewReader(r, contentEncoding)
	}
	if u.gz == nil {
		u.gz, err = gzip.NewReader(r)
	} else {
		err = u.gz.Reset(r)
	}
	if err != nil {
		u.gz = nil // a reader whose header failed starts afresh next time
		return nil, func() {}, headerErr("gzip", err)
	}
	return u.gz, func() {}, nil
}
