package export

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/har"
	"github.com/glassbox-dev/glassbox/store/textsafe"
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
		// The comment is one line whatever the method and URL hold (an
		// imported HAR's may hold a newline, and a line after it would run).
		_, err := fmt.Fprintf(w, "\n# #%d %s %s\n%s\n", f.ID, textsafe.Line(f.Method), textsafe.Line(f.URL), Curl(f, redact))
		return err
	})
}

// Curl writes a flow as a curl command that repeats its request: method,
// URL, headers, body. With redact, Authorization and Cookie values are
// replaced with the export's marker. Accept-Encoding becomes --compressed,
// so curl decodes what it asked to be compressed.
//
// The command is safe to run and to paste in sh, dash, bash and zsh, and
// delivers the captured bytes exactly: arguments are POSIX single-quoted
// (shell.go), a body that is not one line of text is piped in from printf
// with octal escapes, and no control character is written raw anywhere. A
// request curl cannot repeat faithfully (a method that is not an HTTP
// token, a URL that is not http or https) is written as a comment saying
// why.
func Curl(f *store.Flow, redact bool) string {
	if why := notReplayable(f); why != "" {
		return "# not written as a command: " + why + "\n"
	}
	var b strings.Builder
	var notes []string
	body := f.ReqBody.Data
	piped := len(body) > 0 && !quotableBody(body)
	if piped {
		// curl reads the exact bytes from standard input (@-).
		b.WriteString(printfCommand(body) + " | ")
	}
	b.WriteString("curl")
	switch f.Method {
	case "", "GET":
	case "HEAD":
		b.WriteString(" --head")
	default:
		b.WriteString(" -X " + shellWord(f.Method))
	}
	// The version glassbox spoke to the origin: what curl would speak
	// to it in glassbox's place (the browser's leg was to glassbox).
	if proto := cmp.Or(f.OriginProto, f.Proto); strings.HasPrefix(proto, "HTTP/2") {
		b.WriteString(" --http2")
	}
	u := urlArg(f.URL)
	if strings.ContainsAny(u, "[]{}") {
		// curl would read brackets and braces as a range or a list of URLs.
		b.WriteString(" --globoff")
	}
	b.WriteString(" " + shellWord(u))
	notes = writeHeaders(&b, f.ReqHeaders, redact, notes)
	switch {
	case piped:
		b.WriteString(" \\\n  --data-binary @-")
	case len(body) > 0:
		b.WriteString(" \\\n  --data-binary " + shellWord(string(body)))
	}
	if rb := f.ReqBody; rb.Truncated || (rb.Size > 0 && int64(len(body)) < rb.Size) {
		notes = append(notes, fmt.Sprintf("# the request body was %d bytes; glassbox stored %d (--max-body), and this sends only those", rb.Size, len(body)))
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

// writeHeaders writes the request's headers as -H arguments and returns
// notes with one more for headers left out.
func writeHeaders(b *strings.Builder, h store.Headers, redact bool, notes []string) []string {
	skipped := 0
	for _, f := range h {
		name := strings.ToLower(f.Name)
		if strings.HasPrefix(name, ":") || curlSkip[name] {
			if name == "accept-encoding" && compressed(f.Value) {
				b.WriteString(" \\\n  --compressed")
			}
			continue
		}
		if !isToken(f.Name) {
			// Not a field name (an imported file's): curl would read "@x"
			// as a file of headers, "x;" as an empty value.
			skipped++
			continue
		}
		v := fieldValue(f.Value)
		if redact && curlSecret[name] {
			v = har.Redacted
		}
		b.WriteString(" \\\n  -H " + shellWord(f.Name+": "+v))
	}
	if skipped > 0 {
		notes = append(notes, fmt.Sprintf("# %d header(s) left out: their names are not HTTP field names", skipped))
	}
	return notes
}

// notReplayable says why a flow cannot be written as a curl command, or "".
func notReplayable(f *store.Flow) string {
	if f.Method != "" && !isToken(f.Method) {
		return "its method " + strconvQuote(f.Method) + " is not an HTTP method (RFC 9110 §9.1: a token)"
	}
	lower := strings.ToLower(f.URL)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return "its URL " + strconvQuote(f.URL) + " is not an http or https URL"
	}
	return ""
}

// strconvQuote shows a captured value in a comment: quoted, on one line.
func strconvQuote(s string) string { return `"` + textsafe.Line(s) + `"` }

// curlSkip are request headers curl sets itself or that describe the hop
// to glassbox rather than the request (RFC 9110 §7.6.1 hop-by-hop fields).
var curlSkip = map[string]bool{
	"host": true, "content-length": true, "connection": true, "proxy-connection": true,
	"keep-alive": true, "transfer-encoding": true, "te": true, "upgrade": true,
	"proxy-authorization": true, "accept-encoding": true,
}

// curlSecret are the headers redacted unless asked not to, as in exports.
var curlSecret = map[string]bool{"authorization": true, "cookie": true}

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
