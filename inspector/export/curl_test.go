package export

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

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
			name: "binary-body-piped-from-printf",
			flow: store.Flow{Method: "HEAD", URL: "http://h.test/", ReqBody: store.Body{Data: []byte{0, 1, 'a', '\''}, Size: 9, Truncated: true}},
			want: []string{"# the request body was 9 bytes; glassbox stored 4", `printf '\000\001a\047' | curl --head http://h.test/`, "--data-binary @-"},
			not:  []string{"$'"},
		},
		{
			name: "body-naming-a-file-is-sent-as-it-is",
			flow: store.Flow{Method: "POST", URL: "http://h.test/", ReqBody: store.Body{Data: []byte("@/home/u/.ssh/id_ed25519"), Size: 24}},
			want: []string{"printf '@/home/u/.ssh/id_ed25519' | curl -X POST", "--data-binary @-"},
			not:  []string{"--data-binary '@", "--data-binary @/"},
		},
		{
			name: "multi-line-body-has-no-raw-newline",
			flow: store.Flow{Method: "PUT", URL: "http://h.test/", ReqBody: store.Body{Data: []byte("{\n\t\"a\": \"50%\"\n}\n"), Size: 16}},
			want: []string{`printf '{\n\t"a": "50%%"\n}\n' | curl -X PUT`},
		},
		{
			name: "brackets-are-not-curl-ranges",
			flow: store.Flow{Method: "GET", URL: "http://h.test/?a[]=1&b={2}"},
			want: []string{"curl --globoff 'http://h.test/?a[]=1&b={2}'"},
		},
		{
			name: "controls-in-url-percent-encoded",
			flow: store.Flow{Method: "GET", URL: "http://h.test/a\nb\x1bc\u009bd"},
			want: []string{"curl http://h.test/a%0Ab%1Bc%C2%9Bd"},
		},
		{
			name: "header-values-without-line-breaks-and-controls-via-printf",
			flow: store.Flow{Method: "GET", URL: "http://h.test/", ReqHeaders: store.Headers{
				{Name: "X-A", Value: "one\r\nX-Injected: yes"}, {Name: "X-B", Value: "tab\there \x1b[2J!"}, {Name: "Bad Name", Value: "v"}}},
			want: []string{"# 1 header(s) left out", "-H 'X-A: one  X-Injected: yes'", `-H "$(printf 'X-B: tab\there \033[2J\041')"`},
			not:  []string{"Bad Name"},
		},
		{
			name: "method-that-is-not-a-token",
			flow: store.Flow{Method: "GET\ntouch x", URL: "http://h.test/"},
			want: []string{`# not written as a command: its method "GET␊touch x" is not an HTTP method`},
			not:  []string{"curl"},
		},
		{
			name: "url-that-is-not-http",
			flow: store.Flow{Method: "GET", URL: "file:///etc/passwd"},
			want: []string{"# not written as a command: its URL \"file:///etc/passwd\" is not an http or https URL"},
			not:  []string{"curl"},
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
			checkScriptText(t, got)
		})
	}
}

// checkScriptText fails for a control byte in a script other than the
// newlines between its lines, and for a C1 or a byte that is not UTF-8.
func checkScriptText(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("not UTF-8: %q", s)
	}
	for i, r := range s {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) {
			t.Fatalf("control %U at byte %d of %q", r, i, s)
		}
	}
}

// shells are the POSIX shells installed here (sh once, when it is not one
// of the others): the quoting must mean the same to each.
func shells(t testing.TB) []string {
	var out []string
	seen := map[string]bool{}
	for _, sh := range []string{"dash", "bash", "zsh", "sh"} {
		p, err := exec.LookPath(sh)
		if err != nil {
			continue
		}
		if real, err := filepath.EvalSymlinks(p); err == nil && !seen[real] {
			seen[real] = true
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		t.Skip("no POSIX shell")
	}
	return out
}

// roundTrip runs script under sh and returns what it printed.
func roundTrip(t testing.TB, sh, script string) []byte {
	t.Helper()
	cmd := exec.Command(sh, "-c", script)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s -c %q: %v", sh, script, err)
	}
	return out
}

// Every shell reads the quoted word back exactly.
func TestShellWordRoundTrip(t *testing.T) {
	words := []string{"plain", "two words", "it's", `a"b\c$d`, "x;rm -rf /", "", "é ünïcode", "a\nb", "-n", "%s%%\\n",
		"\x1b[2J\x07", "tab\there", "\u009b\x9b", "!!", "`id`$(id)", "'\\''", "-v x"}
	for _, sh := range shells(t) {
		for _, s := range words {
			if got := roundTrip(t, sh, "printf %s "+shellWord(s)); string(got) != s {
				t.Errorf("%s: shellWord(%q) = %s came back as %q", sh, s, shellWord(s), got)
			}
		}
	}
}

// Every shell's printf writes the body back exactly, NUL and trailing
// newlines included.
func TestPrintfBodyRoundTrip(t *testing.T) {
	bodies := [][]byte{[]byte("\x00'; touch /tmp/x; echo injected #"), {0, 1, 2, 0xff, 0x9b, '\n', '\n'}, []byte("-v x"),
		[]byte("50% of \\0 and \\101"), []byte("\r\n"), []byte("1\x0012")}
	for _, sh := range shells(t) {
		for _, b := range bodies {
			if got := roundTrip(t, sh, printfCommand(b)); !bytes.Equal(got, b) {
				t.Errorf("%s: %s wrote %q, want %q", sh, printfCommand(b), got, b)
			}
		}
	}
}

// FuzzShellQuote: whatever a page sends, each shell reads the word back
// exactly (for what an argument can hold: no NUL, no trailing newline),
// printf writes the body back exactly, and neither holds a control
// character, a C1 or a byte that is not UTF-8.
func FuzzShellQuote(f *testing.F) {
	for _, s := range []string{"plain", "it's", "\x00'; touch /tmp/x; echo injected #", "$'\\''", "a\nb\r\t", "\u009b\x9b\xff", "-v x", "%d\\101", "=0", "a=b"} {
		f.Add([]byte(s))
	}
	sh := shells(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := string(data)
		word, cmd := shellWord(s), printfCommand(data)
		for _, out := range []string{word, cmd} {
			checkScriptText(t, out)
		}
		argOK := !strings.ContainsRune(s, 0) && !strings.HasSuffix(s, "\n")
		for _, p := range sh {
			if got := roundTrip(t, p, cmd); !bytes.Equal(got, data) {
				t.Fatalf("%s: %s wrote %q, want %q", p, cmd, got, data)
			}
			if got := roundTrip(t, p, "printf %s "+word); argOK && string(got) != s {
				t.Fatalf("%s: %s came back as %q, want %q", p, word, got, s)
			}
		}
	})
}
