package wire_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/glassbox-dev/glassbox/proxy/wire"
	"github.com/glassbox-dev/glassbox/store"
)

type h2events struct{ log []string }

func (e *h2events) Frame(f wire.Frame, _ time.Time) {
	if f.EndStream() {
		e.log = append(e.log, fmt.Sprintf("end %d", f.Stream))
	}
}

func (e *h2events) Headers(stream uint32, fields store.Headers, end bool, _ time.Time) {
	var b strings.Builder
	fmt.Fprintf(&b, "headers %d end=%v:", stream, end)
	for _, f := range fields {
		fmt.Fprintf(&b, " %s=%s", f.Name, f.Value)
	}
	e.log = append(e.log, b.String())
}

// A client's stream: the preface, settings, two requests whose second
// reuses the first's dynamic table entries, a padded and prioritised
// HEADERS split over a CONTINUATION, DATA that ends a stream, a PING after.
func clientStream(t testing.TB) []byte {
	var buf, hb bytes.Buffer
	buf.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&buf, nil)
	enc := hpack.NewEncoder(&hb)
	block := func(fields ...string) []byte {
		hb.Reset()
		for i := 0; i < len(fields); i += 2 {
			enc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]})
		}
		return bytes.Clone(hb.Bytes())
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 20}))
	req := []string{":method", "GET", ":authority", "shop.test", ":scheme", "https", ":path", "/", "user-agent", "ua", "cookie", "a=1", "cookie", "b=2"}
	must(fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block(req...), EndStream: true, EndHeaders: true}))
	b := block(append(req[:len(req):len(req)], "x-more", "yes")...)
	must(fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: b[:2], PadLength: 3,
		Priority: http2.PriorityParam{StreamDep: 1, Weight: 9}}))
	must(fr.WriteContinuation(3, true, b[2:]))
	must(fr.WriteData(3, false, []byte("body")))
	must(fr.WriteData(3, true, nil))
	must(fr.WritePing(false, [8]byte{2}))
	return buf.Bytes()
}

func TestH2DecodesAsTheConnectionDoes(t *testing.T) {
	stream := clientStream(t)
	want := []string{
		"headers 1 end=true: :method=GET :authority=shop.test :scheme=https :path=/ user-agent=ua cookie=a=1 cookie=b=2",
		"end 1",
		"headers 3 end=false: :method=GET :authority=shop.test :scheme=https :path=/ user-agent=ua cookie=a=1 cookie=b=2 x-more=yes",
		"end 3",
	}
	for _, n := range []int{0, 1, 4, 9, 10} {
		ev := &h2events{}
		h := &wire.H2{Preface: true, Decode: true, Handler: ev}
		for b := stream; len(b) > 0; {
			k := len(b)
			if n > 0 {
				k = min(n, len(b))
			}
			h.Feed(b[:k], time.Time{})
			b = b[k:]
		}
		// "end 1" comes with the HEADERS frame's header, before its block.
		got := strings.Join(ev.log, "|")
		want := strings.Join([]string{want[1], want[0], want[2], want[3]}, "|")
		if got != want || h.Off() {
			t.Errorf("pieces of %d (off %v):\n got %s\nwant %s", n, h.Off(), got, want)
		}
	}
}

func TestH2StopsOnBrokenFraming(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stream func() []byte
	}{
		{"not-a-preface", func() []byte { return []byte("GET / HTTP/1.1\r\n\r\n........") }},
		{"frame-between-continuations", func() []byte {
			var buf bytes.Buffer
			buf.WriteString(http2.ClientPreface)
			fr := http2.NewFramer(&buf, nil)
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0x82}})
			fr.WritePing(false, [8]byte{})
			return buf.Bytes()
		}},
		{"bad-hpack", func() []byte {
			var buf bytes.Buffer
			buf.WriteString(http2.ClientPreface)
			fr := http2.NewFramer(&buf, nil)
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0xff, 0xff, 0xff}, EndHeaders: true})
			return buf.Bytes()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &wire.H2{Preface: true, Decode: true, Handler: &h2events{}}
			h.Feed(tc.stream(), time.Time{})
			if !h.Off() {
				t.Error("still following")
			}
		})
	}
}
