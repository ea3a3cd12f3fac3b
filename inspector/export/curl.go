package export

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/har"
)

// writeCurl writes a shell script: one runnable curl command per request
// (tunnels have none), redacted like the other exports unless NoRedact.
func writeCurl(ctx context.Context, r store.Reader, w io.Writer, j *job) error {
	redact := !j.NoRedact
	fmt.Fprintf(w, "#!/bin/sh\n# glassbox session %d as curl commands", j.sess.ID)
	if redact {
		fmt.Fprint(w, " (credentials redacted; --no-redact keeps them)")
	}
	fmt.Fprintln(w)
	q := store.FlowQuery{SessionID: j.sess.ID, PageID: j.PageID, WithBodies: true}
	if len(j.Flows) > 0 {
		// Read only the range the flows span: the inspector's c key asks
		// for one flow of a session that may hold 100,000.
		lo, hi := slices.Min(j.Flows), slices.Max(j.Flows)
		q.AfterID, q.Limit = lo-1, int(hi-lo+1)
	}
	return store.EachFlow(ctx, r, q, 200, func(f *store.Flow) error {
		if f.Kind == store.KindTunnel || !j.keep(f) {
			return nil
		}
		_, err := fmt.Fprintf(w, "\n# #%d %s %s\n%s\n", f.ID, f.Method, f.URL, Curl(f, redact))
		return err
	})
}

// curlSkip are request headers curl sets itself or that describe the hop
// to glassbox rather than the request (RFC 9110 §7.6.1 hop-by-hop fields).
var curlSkip = map[string]bool{
	"host": true, "content-length": true, "connection": true, "proxy-connection": true,
	"keep-alive": true, "transfer-encoding": true, "te": true, "upgrade": true,
	"proxy-authorization": true, "accept-encoding": true,
}

// curlSecret are the headers redacted unless asked not to, as in exports.
var curlSecret = map[string]bool{"authorization": true, "cookie": true}

// Curl writes a flow as a curl command that repeats its request: method,
// URL, headers, body. With redact, Authorization and Cookie values are
// replaced with the export's marker. Every argument is single-quoted for a
// POSIX shell. Accept-Encoding becomes --compressed, so curl decodes what
// it asked to be compressed.
func Curl(f *store.Flow, redact bool) string {
	var b strings.Builder
	b.WriteString("curl")
	switch f.Method {
	case "", "GET":
	case "HEAD":
		b.WriteString(" --head")
	default:
		b.WriteString(" -X " + shellQuote(f.Method))
	}
	if strings.HasPrefix(f.Proto, "HTTP/2") {
		b.WriteString(" --http2")
	}
	b.WriteString(" " + shellQuote(f.URL))
	for _, h := range f.ReqHeaders {
		name := strings.ToLower(h.Name)
		if strings.HasPrefix(name, ":") || curlSkip[name] {
			if name == "accept-encoding" && compressed(h.Value) {
				b.WriteString(" \\\n  --compressed")
			}
			continue
		}
		v := h.Value
		if redact && curlSecret[name] {
			v = har.Redacted
		}
		b.WriteString(" \\\n  -H " + shellQuote(h.Name+": "+v))
	}
	body := f.ReqBody
	switch {
	case len(body.Data) > 0 && utf8.Valid(body.Data) && !strings.ContainsRune(string(body.Data), 0):
		b.WriteString(" \\\n  --data-binary " + shellQuote(string(body.Data)))
	case len(body.Data) > 0:
		b.WriteString(" \\\n  --data-binary " + ansiQuote(body.Data))
	}
	var notes []string
	if body.Truncated || (body.Size > 0 && int64(len(body.Data)) < body.Size) {
		notes = append(notes, fmt.Sprintf("# the request body was %d bytes; glassbox stored %d (--max-body), and this sends only those", body.Size, len(body.Data)))
	}
	if redact && (f.ReqHeaders.Get("Authorization") != "" || f.ReqHeaders.Get("Cookie") != "") {
		notes = append(notes, "# credentials are redacted: put the real Authorization/Cookie values back to replay as the browser did")
	}
	out := b.String() + "\n"
	if len(notes) > 0 {
		out = strings.Join(notes, "\n") + "\n" + out
	}
	return out
}

// shellQuote quotes s for a POSIX shell: inside single quotes nothing is
// special, and a single quote is written as '\”.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ansiQuote writes binary data as $'...' with \xHH escapes (bash, zsh and
// ksh read it; a plain POSIX sh does not, and binary bodies are rare).
func ansiQuote(data []byte) string {
	var b strings.Builder
	b.WriteString("$'")
	for _, c := range data {
		switch {
		case c == '\'' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "\\x%02x", c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// compressed reports whether an Accept-Encoding asks for a compression
// curl can decode with --compressed.
func compressed(accept string) bool {
	for _, part := range strings.Split(strings.ToLower(accept), ",") {
		name, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch name {
		case "gzip", "deflate", "br", "zstd", "x-gzip":
			return true
		}
	}
	return false
}
