package codec_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/glassbox-dev/glassbox/store/codec"
)

// A Reuser decodes gzip bodies one after another as Decode does, a broken
// header in between included, and hands other codings to NewReader.
func TestReuserDecodesLikeDecode(t *testing.T) {
	var u codec.Reuser
	bodies := []struct {
		data []byte
		enc  string
	}{
		{encode(t, "gzip", []byte("first body")), "gzip"},
		{[]byte("not gzip at all"), "gzip"}, // a header that fails
		{encode(t, "gzip", bytes.Repeat([]byte("second "), 5000)), "x-gzip"},
		{encode(t, "br", []byte("brotli body")), "br"},
		{encode(t, "gzip", []byte("third")), "gzip"},
	}
	for i, b := range bodies {
		want, _, werr := codec.Decode(b.data, b.enc, 1<<20)
		r, closeAll, err := u.NewReader(bytes.NewReader(b.data), b.enc)
		var got []byte
		if err == nil {
			got, err = io.ReadAll(r)
			closeAll()
		}
		if (err != nil) != (werr != nil) || !bytes.Equal(got, want) {
			t.Errorf("body %d (%s): got %q, %v; Decode gave %q, %v", i, b.enc, got, err, want, werr)
		}
	}
}
