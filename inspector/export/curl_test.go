package export

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/store"
)

func TestCurl(t *testing.T) {
	tests := []struct {
		name   string
		flow   store.Flow
		redact bool
		want   []string // parts of the command, in order
		not    []string // must not appear
	}{
		{
			name: "get-redacts-credentials",
			flow: store.Flow{Method: "GET", URL: "https://shop.test/a?b=1&c=2", Proto: "HTTP/1.1", ReqHeaders: store.Headers{
				{Name: "Host", Value: "shop.test"}, {Name: "Cookie", Value: "session=s3cret"},
				{Name: "Authorization", Value: "Bearer hunter2"}, {Name: "Accept", Value: "*/*"}}},
			redact: true,
			want:   []string{"# credentials are redacted", "curl 'https://shop.test/a?b=1&c=2'", "-H 'Cookie: [redacted by glassbox]'", "-H 'Authorization: [redacted by glassbox]'", "-H 'Accept: */*'"},
			not:    []string{"s3cret", "hunter2", "Host:"}, // Host comes from the URL
		},
		{
			name: "kept-credentials-and-quotes",
			flow: store.Flow{Method: "POST", URL: "https://api.test/x", Proto: "HTTP/2.0", ReqHeaders: store.Headers{
				{Name: ":authority", Value: "api.test"}, {Name: "Cookie", Value: "a=it's"}, {Name: "Accept-Encoding", Value: "gzip, br"},
				{Name: "Content-Length", Value: "12"}},
				ReqBody: store.Body{Data: []byte(`{"q":"o'k"}`), Size: 11}},
			want: []string{"curl -X POST --http2 https://api.test/x", `-H 'Cookie: a=it'\''s'`, `--compressed`, `--data-binary '{"q":"o'\''k"}'`},
			not:  []string{":authority", "Content-Length", "Accept-Encoding"},
		},
		{
			name: "head-and-binary-body-cut-short",
			flow: store.Flow{Method: "HEAD", URL: "http://h.test/", ReqBody: store.Body{Data: []byte{0, 1, 'a', '\''}, Size: 9, Truncated: true}},
			want: []string{"# the request body was 9 bytes; glassbox stored 4", "curl --head http://h.test/", `--data-binary $'\x00\x01a\''`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Curl(&tt.flow, tt.redact)
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("missing (or out of order) %q in:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("%q should not appear in:\n%s", n, got)
				}
			}
		})
	}
}

// The shell reads the quoted arguments back exactly.
func TestShellQuoteRoundTrip(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, s := range []string{"plain", "two words", "it's", `a"b\c$d`, "x;rm -rf /", "", "é ünïcode", "a\nb"} {
		out, err := exec.Command(sh, "-c", "printf %s "+shellQuote(s)).Output()
		if err != nil || string(out) != s {
			t.Errorf("shellQuote(%q) came back as %q (%v)", s, out, err)
		}
	}
}
