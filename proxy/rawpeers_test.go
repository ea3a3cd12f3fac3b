package proxy_test

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/glassbox-dev/glassbox/certs"
	"github.com/glassbox-dev/glassbox/store"
)

// Raw peers: origins and browsers that write exactly the bytes a test
// gives them, on loopback, for what net/http would not write (a header
// order, a field's case, a chunk line with an extension).

// ioLimit bounds every raw exchange: a test that goes wrong fails
// instead of hanging.
const ioLimit = 10 * time.Second

// originTLS is a TLS configuration for loopback origins, from a CA of
// their own (the proxy trusts it through Config.UpstreamRoots).
func originTLS(t testing.TB, alpn ...string) (*tls.Config, *x509.CertPool) {
	t.Helper()
	ca, err := certs.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := certs.NewLeafCache(ca, 0).TLSConfig("127.0.0.1")
	cfg.NextProtos = alpn
	return cfg, poolOf(ca.Cert)
}

// rawOrigin serves each connection with serve, over TLS when cfg is set.
func rawOrigin(t testing.TB, cfg *tls.Config, serve func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for c, err := ln.Accept(); err == nil; c, err = ln.Accept() {
			go serveRaw(c, cfg, serve)
		}
	}()
	return ln.Addr().String()
}

// serveRaw serves one connection, bounded by ioLimit.
func serveRaw(c net.Conn, cfg *tls.Config, serve func(c net.Conn)) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(ioLimit))
	if cfg != nil {
		c = tls.Server(c, cfg)
	}
	serve(c)
}

// h1Answers serves HTTP/1.1 requests, one after another, each answered
// with the bytes answer returns for its head.
func h1Answers(answer func(head string) string) func(net.Conn) {
	return func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			head, err := readHead(br)
			if err != nil {
				return
			}
			if _, err := io.WriteString(c, answer(head)); err != nil {
				return
			}
		}
	}
}

// readHead reads an HTTP/1.1 head up to its blank line.
func readHead(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String(), err
		}
		if line == "\r\n" || line == "\n" {
			return b.String(), nil
		}
	}
}

// h2Answer is what a raw HTTP/2 origin sends on a stream.
type h2Answer struct {
	fields   []string // name, value, ...: sent in this order
	body     string
	trailers []string
}

// h2Origin serves HTTP/2 (over TLS with ALPN h2), writing for each
// request the header block answer gives, field by field in that order.
func h2Origin(t testing.TB, cfg *tls.Config, answer func(req []hpack.HeaderField) h2Answer) string {
	return rawOrigin(t, cfg, func(c net.Conn) {
		pre := make([]byte, len(http2.ClientPreface))
		if _, err := io.ReadFull(c, pre); err != nil {
			return
		}
		fr := http2.NewFramer(c, c)
		fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
		var hb bytes.Buffer
		enc := hpack.NewEncoder(&hb)
		block := func(kv []string) []byte {
			hb.Reset()
			for i := 0; i+1 < len(kv); i += 2 {
				enc.WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
			}
			return bytes.Clone(hb.Bytes())
		}
		if fr.WriteSettings() != nil {
			return
		}
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return
			}
			switch f := f.(type) {
			case *http2.SettingsFrame:
				if !f.IsAck() {
					fr.WriteSettingsAck()
				}
			case *http2.PingFrame:
				if !f.IsAck() {
					fr.WritePing(true, f.Data)
				}
			case *http2.MetaHeadersFrame:
				a := answer(f.Fields)
				id := f.StreamID
				fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block(a.fields), EndHeaders: true,
					EndStream: a.body == "" && a.trailers == nil})
				if a.body != "" {
					fr.WriteData(id, a.trailers == nil, []byte(a.body))
				}
				if a.trailers != nil {
					fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block(a.trailers), EndHeaders: true, EndStream: true})
				}
			}
		}
	})
}

// dialProxy opens a raw connection to h's proxy, bounded by ioLimit and
// closed when the test ends.
func dialProxy(t testing.TB, h *harness) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", h.proxyURL.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(ioLimit))
	return c
}

// connectTLS opens an intercepted CONNECT to target through h and makes
// the TLS handshake a browser would, offering alpn.
func connectTLS(t testing.TB, h *harness, target string, alpn ...string) *tls.Conn {
	t.Helper()
	c := dialProxy(t, h)
	io.WriteString(c, "CONNECT "+target+" HTTP/1.1\r\nHost: "+target+"\r\n\r\n")
	br := bufio.NewReader(c)
	head, err := readHead(br)
	if err != nil || !strings.HasPrefix(head, "HTTP/1.1 200") {
		t.Fatalf("CONNECT: %q %v", head, err)
	}
	host, _, _ := net.SplitHostPort(target)
	tc := tls.Client(c, &tls.Config{RootCAs: poolOf(h.ca.Cert), ServerName: host, NextProtos: alpn})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	return tc
}

// h2Get sends one request on an HTTP/2 connection, its header block
// written field by field as given, and returns the response's status and
// body once the stream ends.
func h2Get(t testing.TB, c net.Conn, fields ...string) (status, body string) {
	t.Helper()
	answers := h2Requests(t, c, fields)
	return answers[0].status, answers[0].body
}

// h2Reply is a response read by h2Requests: its status, its header
// fields (the first block's, pseudo-header fields included) and body.
type h2Reply struct {
	status, body string
	fields       store.Headers
}

// h2Requests sends requests on streams 1, 3, 5... of a new HTTP/2
// connection, all in one write, each header block written field by field
// as given, and returns the answers once every stream ended.
func h2Requests(t testing.TB, c net.Conn, blocks ...[]string) []h2Reply {
	t.Helper()
	var out bytes.Buffer
	out.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&out, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	fr.WriteSettings()
	for i, fields := range blocks {
		hb.Reset()
		for j := 0; j+1 < len(fields); j += 2 {
			enc.WriteField(hpack.HeaderField{Name: fields[j], Value: fields[j+1]})
		}
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: uint32(2*i + 1), BlockFragment: hb.Bytes(), EndHeaders: true, EndStream: true})
	}
	if _, err := c.Write(out.Bytes()); err != nil {
		t.Fatal(err)
	}
	fr = http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	replies, open := make([]h2Reply, len(blocks)), len(blocks)
	for open > 0 {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("reading the answers: %v", err)
		}
		r := &replies[(f.Header().StreamID-1)/2%uint32(len(blocks))]
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.MetaHeadersFrame:
			if r.status == "" {
				for _, hf := range f.Fields {
					r.fields = append(r.fields, store.Header{Name: hf.Name, Value: hf.Value})
				}
			}
			r.status = cmp.Or(r.status, f.PseudoValue("status"))
			if f.StreamEnded() {
				open--
			}
		case *http2.DataFrame:
			r.body += string(f.Data())
			if f.StreamEnded() {
				open--
			}
		case *http2.GoAwayFrame, *http2.RSTStreamFrame:
			t.Fatalf("stream ended with %v", f)
		}
	}
	return replies
}

// pairs writes a header block as "name: value" lines, for comparing.
func pairs(h store.Headers) string {
	var b strings.Builder
	for _, f := range h {
		b.WriteString(f.Name + ": " + f.Value + "\n")
	}
	return b.String()
}

// kv writes name, value, ... as "name: value" lines.
func kv(fields ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(fields); i += 2 {
		b.WriteString(fields[i] + ": " + fields[i+1] + "\n")
	}
	return b.String()
}
