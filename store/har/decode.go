package har

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec"
)

// maxDecoded bounds one body decoded for HAR's content.text (HAR keeps the
// decoded entity, HAR 1.2 "content"): its memory, and its share of the
// file. The export's codec.Budget bounds all the bodies of one file.
const maxDecoded = 16 << 20

// decodeContent undoes a body's content coding for c.Text through the one
// body decoder (store/codec: gzip, deflate in both framings, brotli, zstd),
// within the export's budget, and says in c what came of it. It returns
// the decoded bytes, or ok false when c is complete without them: not
// decoded (over the limit, or the budget spent), or kept encoded (a coding
// glassbox cannot undo).
func decodeContent(c *Content, f *store.Flow, enc string, budget *codec.Budget) (data []byte, ok bool) {
	stored := f.RespBody.Data
	out, more, err := budget.Decode(stored, enc, maxDecoded)
	switch {
	case more || errors.Is(err, codec.ErrBudget):
		notDecoded(c, f, enc, budget, err)
		return nil, false
	case err == nil && !f.RespBody.Truncated:
		c.Size = int64(len(out))
		c.Compression = c.Size - f.RespBody.Size
		return out, true
	case err == nil || len(out) > 0:
		c.Comment = fmt.Sprintf("decoded from the first %d of %d %s-encoded bytes stored: the whole body's decoded size is unknown", len(stored), f.RespBody.Size, enc)
		c.Size = int64(len(out))
		return out, true
	}
	c.Comment = fmt.Sprintf("body kept %s-encoded: glassbox cannot decode it (%v)", enc, err)
	c.Text = base64.StdEncoding.EncodeToString(stored)
	c.Encoding = "base64"
	return nil, false
}

// notDecoded says why a body's content is not in the file, and its decoded
// size when the budget lets it be counted (-1 when it is unknown).
func notDecoded(c *Content, f *store.Flow, enc string, budget *codec.Budget, err error) {
	why := fmt.Sprintf("over glassbox's limit of %d MiB for one body", maxDecoded>>20)
	if errors.Is(err, codec.ErrBudget) {
		why = "this export has decoded all it may (256 MiB, and 16 bytes for each compressed byte)"
	}
	c.Size = -1
	if f.RespBody.Truncated {
		c.Comment = fmt.Sprintf("not decoded: %s; glassbox stored only the first %d of %d %s-encoded bytes, so the decoded size is unknown",
			why, len(f.RespBody.Data), f.RespBody.Size, enc)
		return
	}
	n, merr := budget.Measure(f.RespBody.Data, enc, math.MaxInt64)
	if merr != nil {
		c.Comment = fmt.Sprintf("not decoded: %s; the %d %s-encoded bytes unpack to more than %d bytes (counting stopped there)",
			why, f.RespBody.Size, enc, n)
		return
	}
	c.Size, c.Compression = n, n-f.RespBody.Size
	c.Comment = fmt.Sprintf("not decoded: %s; the %d %s-encoded bytes unpack to %d bytes", why, f.RespBody.Size, enc, n)
}
