package har

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxParts bounds the parts listed of one multipart body.
const maxParts = 1000

func isMultipart(ctype string) bool {
	mt, _, err := mime.ParseMediaType(ctype)
	return err == nil && mt == "multipart/form-data"
}

// plainText reports bytes that read as text: valid UTF-8 without control
// characters other than tab, CR and LF.
func plainText(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	for _, c := range data {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}

// multipartParams lists the parts of a multipart/form-data body (RFC 7578)
// as HAR params: a field's value, or a file's name and type, with its
// content when it is text. A body cut short lists the parts it holds whole
// and says where it stops.
func multipartParams(ctype string, data []byte, opt Options) []Param {
	out := []Param{}
	_, params, err := mime.ParseMediaType(ctype)
	if err != nil || params["boundary"] == "" {
		return out
	}
	r := multipart.NewReader(bytes.NewReader(data), params["boundary"])
	for len(out) < maxParts {
		part, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			return append(out, Param{Name: "", Comment: "the parts stop here: " + err.Error()})
		}
		p, ok := partParam(part, opt)
		if !ok {
			return append(out, Param{Name: "", Comment: "the body stops inside this part"})
		}
		out = append(out, p)
	}
	return out
}

// partParam reads one part into a param; false when the part is cut off.
func partParam(part *multipart.Part, opt Options) (Param, bool) {
	defer part.Close()
	content, err := io.ReadAll(io.LimitReader(part, 1<<20))
	if err != nil {
		return Param{}, false
	}
	p := Param{Name: part.FormName(), FileName: part.FileName(), ContentType: part.Header.Get("Content-Type")}
	switch {
	case !opt.NoRedact && matchesAny(p.Name, opt.RedactParams):
		p.Value = Redacted
	case plainText(content):
		p.Value = string(content)
	default:
		p.Comment = "binary content, " + strconv.Itoa(len(content)) + " bytes (in the body's text, base64)"
	}
	if p.FileName == "" && p.ContentType == "" && strings.TrimSpace(p.Value) == "" && p.Comment == "" {
		p.Value = string(content)
	}
	return p, true
}
