package sqlite

import (
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/glassbox-dev/glassbox/store"
)

// How values are encoded in columns: times as Unix nanoseconds, header
// blocks and structured values as JSON text (fields.go binds them to
// columns).

// nanos stores a time as Unix nanoseconds, or NULL for the zero time.
func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// headersJSON stores a header block as [[name, value], ...]: readable with
// SQLite's json functions and ordered, unlike an object. It is written by
// hand: encoding/json (reflection over a [][2]string built per block) was
// the writer's largest cost outside SQLite, at two blocks per flow. The
// text decodes exactly as encoding/json's would (TestHeadersJSON). Every
// header block glassbox stores passes here, so this is where a proxy
// credential is dropped whatever recorded it (store.ProxyCredential).
func headersJSON(h store.Headers) any {
	if len(h) == 0 {
		return nil
	}
	n := 2
	for _, f := range h {
		n += len(f.Name) + len(f.Value) + 8
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, f := range h {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendJSONString(b, f.Name)
		b = append(b, ',')
		v := f.Value
		if store.ProxyCredential(f.Name) {
			v = store.NotRecorded
		}
		b = appendJSONString(b, v)
		b = append(b, ']')
	}
	b = append(b, ']')
	return string(b)
}

// appendJSONString appends s as a JSON string (RFC 8259 §7): quote,
// backslash and control characters escaped, invalid UTF-8 replaced by
// U+FFFD as encoding/json does, so the text is always valid JSON.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// parseHeaders reads what headersJSON wrote; text that does not decode
// reads as no headers.
func parseHeaders(s string) store.Headers {
	if s == "" {
		return nil
	}
	var pairs [][2]string
	if json.Unmarshal([]byte(s), &pairs) != nil {
		return nil
	}
	h := make(store.Headers, len(pairs))
	for i, p := range pairs {
		h[i] = store.Header{Name: p[0], Value: p[1]}
	}
	return h
}

// marshal stores v as JSON text (NULL in the unlikely case it cannot be
// encoded: the model's types always can).
func marshal(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return string(b)
}
