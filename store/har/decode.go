package har

import (
	"errors"

	"github.com/glassbox-dev/glassbox/store/codec"
)

// maxDecoded bounds a body decoded for HAR's content.text: HAR keeps the
// decoded entity (HAR 1.2, "content"), and a small compressed body may
// unpack to much more.
const maxDecoded = 64 << 20

// errTooLarge says a body decodes to more than maxDecoded; decode returns
// its first maxDecoded bytes with it.
var errTooLarge = errors.New("decodes to more than 64 MiB")

// decode undoes a Content-Encoding through the one body decoder
// (store/codec): gzip, deflate in both framings, brotli, zstd. With
// errTooLarge or codec.ErrTruncated (a cut copy) it returns what was
// decoded; with another error, nothing could be.
func decode(enc string, data []byte) ([]byte, error) {
	out, more, err := codec.Decode(data, enc, maxDecoded)
	if more {
		return out, errTooLarge
	}
	return out, err
}
