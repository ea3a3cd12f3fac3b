package har

import (
	"encoding/base64"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec"
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
func response(f *store.Flow, opt Options, budget *codec.Budget) Response {
	r := Response{
		Status:      f.Status,
		StatusText:  f.StatusText,
		HTTPVersion: httpVersion(f.RespProto),
		Headers:     headers(f.RespHeaders, opt),
		Trailers:    headers(f.RespTrailers, opt),
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
	r.Content = content(f, budget)
	return r
}

// content decodes the stored body for content.text, as HAR wants the
// decoded entity; size is the decoded size and compression the bytes saved.
func content(f *store.Flow, budget *codec.Budget) Content {
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
		var ok bool
		if data, ok = decodeContent(&c, f, enc, budget); !ok {
			return c
		}
	}
	if f.RespBody.Truncated && c.Comment == "" {
		c.Comment = keptNote(f.RespBody)
	}
	if len(data) == 0 {
		return c
	}
	if textBody(mt, data) {
		c.Text = string(data)
	} else {
		c.Text = base64.StdEncoding.EncodeToString(data)
		c.Encoding = "base64"
	}
	return c
}

// textBody reports whether a body goes into HAR as text: a text type,
// UTF-8, and no control character but tab, CR and LF. Others go as base64:
// JSON would write each control as six bytes (a 64 MiB body of zeros made
// 384 MiB of "\u0000"), and a body with them is not text anyway.
func textBody(ctype string, data []byte) bool {
	if !isText(ctype) || !utf8.Valid(data) {
		return false
	}
	for _, c := range data {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
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
