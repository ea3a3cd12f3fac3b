package har

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// request is the request half of an entry: as sent, with credentials and
// the --redact-param values redacted unless NoRedact.
func request(f *store.Flow, opt Options) Request {
	r := Request{
		Method:      f.Method,
		URL:         redactURL(f.URL, opt.RedactParams, opt.NoRedact),
		HTTPVersion: httpVersion(originLeg(f)),
		Headers:     headers(f.ReqHeaders, opt),
		Cookies:     requestCookies(f.ReqHeaders, opt.NoRedact),
		QueryString: []NV{},
		HeadersSize: f.ReqHeaderSize,
		BodySize:    f.ReqBody.Size,
	}
	if u, err := url.Parse(r.URL); err == nil {
		r.QueryString = append(r.QueryString, splitQuery(u.RawQuery)...)
	}
	if f.ReqBody.Size > 0 || len(f.ReqBody.Data) > 0 {
		r.PostData = postData(f, opt)
	}
	if f.Kind == store.KindTunnel {
		r.HTTPVersion = httpVersion(f.Proto)
		r.Comment = "CONNECT tunnel passed through without interception (--no-mitm): its content is encrypted end to end."
	}
	return r
}

// splitQuery reads a query string, or a form body (which is one), as
// unescaped names and values in the order sent (url.ParseQuery's map would
// shuffle them).
func splitQuery(raw string) []NV {
	var out []NV
	for _, p := range store.QueryParams(raw) {
		out = append(out, NV{Name: p.Name, Value: p.Value})
	}
	return out
}

// requestCookies are the Cookie header's pairs, values redacted unless
// noRedact.
func requestCookies(h store.Headers, noRedact bool) []Cookie {
	return cookies(h.Values("Cookie"), noRedact, func(line string) ([]Cookie, error) {
		cs, err := http.ParseCookie(line)
		out := make([]Cookie, 0, len(cs))
		for _, c := range cs {
			out = append(out, Cookie{Name: c.Name, Value: c.Value})
		}
		return out, err
	})
}

// postData is the request body: as text when it is text (forms, JSON,
// XML, multipart whose parts are text), base64 with encoding otherwise; a
// form's fields and a multipart body's parts listed as params, with
// --redact-param values redacted in both the list and the text.
func postData(f *store.Flow, opt Options) *PostData {
	mt := f.ReqHeaders.Get("Content-Type")
	data := f.ReqBody.Data
	pd := &PostData{MimeType: mt, Params: []Param{}}
	multi := isMultipart(mt)
	if textBody(mt, data) || (multi && plainText(data)) {
		pd.Text = string(data)
	} else {
		pd.Text = base64.StdEncoding.EncodeToString(data)
		pd.Encoding = "base64"
	}
	if f.ReqBody.Truncated {
		pd.Comment = keptNote(f.ReqBody)
	}
	switch {
	case multi:
		pd.Params = multipartParams(mt, data, opt)
		for _, p := range pd.Params {
			if p.Value == Redacted && pd.Encoding == "" {
				// The raw body holds what the list redacts.
				pd.Text = ""
				pd.Comment = strings.TrimSpace(pd.Comment + " the raw body is left out: it holds fields named by --redact-param")
				break
			}
		}
	case strings.HasPrefix(mt, "application/x-www-form-urlencoded") && pd.Encoding == "":
		pd.Params = formParams(pd.Text, opt)
		// The same parameters in the raw text: a form is a query string.
		if !opt.NoRedact && len(opt.RedactParams) > 0 {
			pd.Text = strings.TrimPrefix(redactURL("?"+pd.Text, opt.RedactParams, false), "?")
		}
	}
	return pd
}

// formParams lists a url-encoded form's fields, in order.
func formParams(text string, opt Options) []Param {
	out := []Param{}
	for _, nv := range splitQuery(text) {
		if !opt.NoRedact && matchesAny(nv.Name, opt.RedactParams) {
			nv.Value = Redacted
		}
		out = append(out, Param{Name: nv.Name, Value: nv.Value})
	}
	return out
}
