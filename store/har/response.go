package har

import (
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/glassbox-dev/glassbox/store"
)

// setCookies are the cookies a response sets, with their attributes;
// values redacted unless noRedact.
func setCookies(h store.Headers, noRedact bool) []Cookie {
	return cookies(h.Values("Set-Cookie"), noRedact, func(line string) ([]Cookie, error) {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			return nil, err
		}
		hc := Cookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain, HTTPOnly: c.HttpOnly, Secure: c.Secure}
		if !c.Expires.IsZero() {
			hc.Expires = isoTime(c.Expires)
		}
		switch c.SameSite {
		case http.SameSiteLaxMode:
			hc.SameSite = "Lax"
		case http.SameSiteStrictMode:
			hc.SameSite = "Strict"
		case http.SameSiteNoneMode:
			hc.SameSite = "None"
		}
		return []Cookie{hc}, nil
	})
}

// response is the response half of an entry; a flow that got none (an
// error) has status 0 and sizes -1, as HAR says.
func response(f *store.Flow, opt Options) Response {
	r := Response{
		Status:      f.Status,
		StatusText:  f.StatusText,
		HTTPVersion: httpVersion(f.RespProto),
		Headers:     headers(f.RespHeaders, opt),
		Cookies:     setCookies(f.RespHeaders, opt.NoRedact),
		RedirectURL: f.RespHeaders.Get("Location"),
		HeadersSize: f.RespHeaderSize,
		BodySize:    f.RespBody.Size,
	}
	if f.Status == 0 {
		r.HTTPVersion = ""
		r.BodySize = -1
		r.HeadersSize = -1
		if f.Error != nil {
			r.Comment = "no response: " + f.Error.Phase + " failed: " + f.Error.Message
		}
	}
	if f.Status == http.StatusNotModified {
		r.BodySize = 0
	}
	r.TransferSize = f.RespBody.Size
	if r.HeadersSize > 0 {
		r.TransferSize += r.HeadersSize
	}
	r.Content = content(f)
	return r
}

// content decodes the stored body for content.text, as HAR wants the
// decoded entity; size is the decoded size and compression the bytes saved.
func content(f *store.Flow) Content {
	mt := f.RespHeaders.Get("Content-Type")
	if mt == "" {
		mt = "x-unknown"
	}
	c := Content{MimeType: mt, Size: f.RespBody.Size, Truncated: f.RespBody.Truncated}
	data := f.RespBody.Data
	if f.RespBody.Decoded && !f.RespBody.Truncated {
		c.Size = int64(len(data))
		if f.RespHeaders.Get("Content-Encoding") != "" && f.RespBody.Size > 0 {
			c.Compression = c.Size - f.RespBody.Size
		}
	}
	if enc := strings.ToLower(strings.TrimSpace(f.RespHeaders.Get("Content-Encoding"))); enc != "" && enc != "identity" && len(data) > 0 && !f.RespBody.Decoded {
		decoded, err := decode(enc, data)
		switch {
		case err == nil && !f.RespBody.Truncated:
			c.Size = int64(len(decoded))
			c.Compression = c.Size - f.RespBody.Size
			data = decoded
		case errors.Is(err, errTooLarge):
			c.Comment = fmt.Sprintf("decoded content cut at its first %d bytes: the %d %s-encoded bytes unpack to more", len(decoded), f.RespBody.Size, enc)
			c.Size = int64(len(decoded))
			data = decoded
		case err == nil || len(decoded) > 0:
			c.Comment = fmt.Sprintf("decoded from the first %d of %d %s-encoded bytes stored", len(f.RespBody.Data), f.RespBody.Size, enc)
			c.Size = int64(len(decoded))
			data = decoded
		default:
			c.Comment = fmt.Sprintf("body kept %s-encoded: glassbox cannot decode it (%v)", enc, err)
			c.Text = base64.StdEncoding.EncodeToString(data)
			c.Encoding = "base64"
			return c
		}
	}
	if f.RespBody.Truncated && c.Comment == "" {
		c.Comment = fmt.Sprintf("truncated: glassbox stored the first %d of %d bytes (--max-body)", len(f.RespBody.Data), f.RespBody.Size)
	}
	if len(data) == 0 {
		return c
	}
	if isText(mt) && utf8.Valid(data) {
		c.Text = string(data)
	} else {
		c.Text = base64.StdEncoding.EncodeToString(data)
		c.Encoding = "base64"
	}
	return c
}

func isText(ctype string) bool {
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ctype, ";", 2)[0]))
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"),
		mt == "application/json", mt == "application/javascript", mt == "application/xml",
		mt == "application/x-www-form-urlencoded", mt == "image/svg+xml", mt == "application/manifest+json":
		return true
	}
	return false
}
