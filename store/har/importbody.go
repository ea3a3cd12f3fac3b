package har

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// An imported entry's bodies: postData and content, as the store keeps
// them.

// bodies reads the request's postData and the response's content, each
// cut at maxBody (0: whole; negative: none kept).
func (e *importing) bodies(f *store.Flow, maxBody int64) error {
	if pd := e.Request.PostData; pd != nil {
		enc := pd.Encoding
		if enc == "" {
			enc = pd.OldEncoding
		}
		data, err := bodyBytes(pd.Text, enc)
		if err != nil {
			return fmt.Errorf("request body: %w", err)
		}
		f.ReqBody = store.Body{Data: data, Size: int64(len(data))}
		if e.Request.BodySize > int64(len(data)) {
			f.ReqBody.Size, f.ReqBody.Truncated = e.Request.BodySize, true
		}
		f.ReqBody = cutBody(f.ReqBody, maxBody)
	}
	data, err := bodyBytes(e.Response.Content.Text, e.Response.Content.Encoding)
	if err != nil {
		return fmt.Errorf("response content: %w", err)
	}
	f.RespBody = store.Body{Data: data, Size: e.Response.BodySize, Truncated: e.Response.Content.Truncated}
	if f.RespBody.Size < 0 {
		f.RespBody.Size = int64(len(data))
	}
	if len(data) > 0 && f.RespHeaders.Get("Content-Encoding") != "" {
		f.RespBody.Decoded = true // HAR content is the decoded entity
	}
	f.RespBody = cutBody(f.RespBody, maxBody)
	return nil
}

// cutBody keeps the first maxBody bytes of b's data (0: all; negative:
// none), marked truncated when any were left out.
func cutBody(b store.Body, maxBody int64) store.Body {
	keep := int64(len(b.Data))
	switch {
	case maxBody < 0:
		keep = 0
	case maxBody > 0:
		keep = min(keep, maxBody)
	}
	if keep < int64(len(b.Data)) {
		b.Data, b.Truncated = b.Data[:keep:keep], true
		if keep == 0 {
			b.Data = nil
		}
	}
	return b
}

func bodyBytes(text, encoding string) ([]byte, error) {
	if text == "" {
		return nil, nil
	}
	if strings.EqualFold(encoding, "base64") {
		return base64.StdEncoding.DecodeString(text)
	}
	return []byte(text), nil
}
