package store

import "testing"

// A response's type comes from its media type, whatever its case, its
// spaces and its parameters, well formed or not.
func TestResponseTypeFromMediaType(t *testing.T) {
	for ct, want := range map[string]string{
		"text/html":                         TypeDocument,
		"Text/HTML; charset=UTF-8":          TypeDocument,
		" application/xhtml+xml ":           TypeDocument,
		"text/css;charset=utf-8":            TypeStylesheet,
		"text/javascript; charset=\"broken": TypeScript, // a parameter mime.ParseMediaType refuses
		"application/x-javascript":          TypeScript,
		"text/html; ;;":                     TypeDocument,
		"image/png":                         TypeImage,
		"application/json; charset=utf-8":   TypeFetch,
		"font/woff2":                        TypeFont,
		"":                                  TypeOther,
	} {
		if got := ResponseType("", ct, ""); got != want {
			t.Errorf("Content-Type %q: %q, want %q", ct, got, want)
		}
	}
}
