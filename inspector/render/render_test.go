package render_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec/codectest"
)

// holds reports, under label, what got lacks of want and holds of not.
func holds(t *testing.T, label, got string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: %q missing:\n%s", label, w, got)
		}
	}
	for _, n := range not {
		if strings.Contains(got, n) {
			t.Errorf("%s: %q should not be there:\n%s", label, n, got)
		}
	}
}

func text(lines []render.Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Text() + "\n")
	}
	return b.String()
}

func TestHeaderLineKeepsWhatMatters(t *testing.T) {
	h := render.HeaderInfo{Session: store.Session{ID: 4}, Live: true, Listen: []string{"127.0.0.1:8080", "[::1]:8080"},
		Flows: 1200, Pages: 12, Stats: &store.RecorderStats{Dropped: 5}}
	tests := []struct {
		width int
		want  []string
		not   []string
	}{
		{200, []string{"live on 127.0.0.1:8080 [::1]:8080", "session 4", "1200 flows · 12 pages", "⚠ 5 dropped", "no HTTPS yet: open http://127.0.0.1:8080/ to trust the CA"}, nil},
		{100, []string{"⚠ 5 dropped", "no HTTPS yet"}, []string{"live on"}}, // the listen address is in the hint already
	}
	for _, tt := range tests {
		got := render.HeaderLine(h, tt.width).Text()
		holds(t, fmt.Sprintf("width %d", tt.width), got, tt.want, tt.not)
		if render.Width(got) > tt.width {
			t.Errorf("width %d: header is %d wide", tt.width, render.Width(got))
		}
	}
	h.HTTPSSeen = true
	if strings.Contains(render.HeaderLine(h, 200).Text(), "no HTTPS") {
		t.Error("the CA hint stays after HTTPS was seen")
	}
}

func TestWrapAndFit(t *testing.T) {
	got := text(render.Wrap("the quick brown fox jumps over https://a-very-long-host.example/with/a/path", 20, "- ", "  ", render.Normal))
	want := "- the quick brown\n  fox jumps over\n  https://a-very-lon\n  g-host.example/wit\n  h/a/path\n"
	if got != want {
		t.Errorf("Wrap:\n%s\nwant:\n%s", got, want)
	}
	if f := render.Fit("日本語のタイトル", 7); render.Width(f) > 7 || !strings.HasSuffix(f, "…") {
		t.Errorf("Fit of wide runes: %q (%d cells)", f, render.Width(f))
	}
}

func packed(t testing.TB, coding, s string) []byte { return codectest.Encode(t, coding, []byte(s)) }

func bodyFlow(ctype, enc string, data []byte, size int64) *store.Flow {
	h := store.Headers{{Name: "Content-Type", Value: ctype}}
	if enc != "" {
		h = append(h, store.Header{Name: "Content-Encoding", Value: enc})
	}
	return &store.Flow{ID: 1, Method: "GET", URL: "https://a.test/", Status: 200, RespHeaders: h,
		RespBody: store.Body{Data: data, Size: size, Truncated: size > int64(len(data))}}
}

func TestBodyTab(t *testing.T) {
	th := render.NewTheme(256, false)
	tests := []struct {
		name string
		flow *store.Flow
		want []string
	}{
		{"json-pretty", bodyFlow("application/json", "", []byte(`{"a":[1,2]}`), 11), []string{"{\n  \"a\": [\n    1,"}},
		{"gzip-decoded", bodyFlow("text/plain", "gzip", packed(t, "gzip", "hello, world"), 32), []string{"decoded for display", "hello, world"}},
		{"brotli-decoded", bodyFlow("text/plain", "br", packed(t, "br", "hello, brotli"), int64(len(packed(t, "br", "hello, brotli")))), []string{"decoded for display: 13 B", "hello, brotli"}},
		{"deflate-zlib-framed-decoded", bodyFlow("text/plain", "deflate", packed(t, "deflate", "hello, zlib"), int64(len(packed(t, "deflate", "hello, zlib")))), []string{"decoded for display", "hello, zlib"}},
		{"unknown-coding-as-hex", bodyFlow("text/plain", "compress", []byte{0x1f, 0x9d, 0x90}, 3), []string{"cannot decode it", "not one glassbox decodes", "1f 9d 90"}},
		{"css-indented", bodyFlow("text/css", "", []byte("a{color:red;margin:0}b{x:y}"), 27), []string{"a{\n  color:red;\n  margin:0\n}"}},
		{"html-indented", bodyFlow("text/html", "", []byte("<ul><li>a</li><br><li>b</li></ul>"), 33), []string{"<ul>\n  <li>\n    a\n  </li>\n  <br>\n  <li>"}},
		{"cut-short", bodyFlow("text/plain", "", []byte("abc"), 3000), []string{"glassbox stored only the first 3 B of 2.9 KB (--max-body)"}},
		{"not-stored", bodyFlow("text/plain", "", nil, 50), []string{"not stored"}},
		{"binary", bodyFlow("application/octet-stream", "", []byte{0, 1, 2, 0xff}, 4), []string{"binary data", "00 01 02 ff"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := text(render.FlowTab(th, 4, render.FlowDetail{Flow: tt.flow}, 80))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("body tab lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// grid is a Canvas that remembers which cells a frame wrote.
type grid struct {
	w, h    int
	written map[[2]int]rune
}

func (g *grid) SetContent(x, y int, r rune, _ []rune, _ tcell.Style) {
	if x >= 0 && x < g.w && y >= 0 && y < g.h {
		g.written[[2]int{x, y}] = r
	}
}

// Every cell of the list's rectangle is written each frame (rows padded to
// the full width), and only the visible lines are drawn.
func TestDrawListWritesEveryCellOfTheWindow(t *testing.T) {
	m := model.New()
	var flows []store.Flow
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := int64(1); i <= 1000; i++ {
		flows = append(flows, store.Flow{ID: i, PageID: 1, Method: "GET", URL: "https://a.test/x", Status: 200, Start: t0, End: t0.Add(time.Millisecond)})
	}
	m.Add(flows)
	g := &grid{w: 100, h: 12, written: map[[2]int]rune{}}
	m.SetHeight(11)
	m.Select(500)
	render.DrawList(g, render.NewTheme(0, true), render.Rect{W: 100, H: 12}, m, true)
	if len(g.written) != 100*12 {
		t.Errorf("%d cells written, want all %d", len(g.written), 100*12)
	}
	if m.Top() > 500 || m.Top()+11 <= 500 {
		t.Errorf("top %d does not show the selected line 500", m.Top())
	}
}

func TestWaterfallFitsTheWidth(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var rows []*model.Row
	for i := 0; i < 5; i++ {
		f := store.Flow{ID: int64(i + 1), Method: "GET", URL: "https://a.test/" + strings.Repeat("p", i*20), Status: 200,
			Start: t0.Add(time.Duration(i) * 100 * time.Millisecond), End: t0.Add(time.Duration(i+1) * 150 * time.Millisecond)}
		f.GotConn, f.WroteRequest, f.FirstByte = f.Start.Add(time.Millisecond), f.Start.Add(2*time.Millisecond), f.Start.Add(40*time.Millisecond)
		r := model.NewRow(&f)
		rows = append(rows, &r)
	}
	for _, w := range []int{60, 120, 200} {
		lines := render.Waterfall(render.NewTheme(256, false), render.PageDetail{Group: &model.Group{}, Rows: rows, Selected: 3}, w)
		if len(lines) != 4+len(rows) {
			t.Fatalf("width %d: %d lines", w, len(lines))
		}
		for _, l := range lines[2:] {
			if n := render.Width(l.Text()); n > w {
				t.Errorf("width %d: line of %d cells: %q", w, n, l.Text())
			}
		}
		if !strings.HasPrefix(lines[4+2].Text(), "▶ ") {
			t.Errorf("width %d: the selected flow is not marked: %q", w, lines[6].Text())
		}
	}
}

// The Request tab says which recorded fields glassbox did not pass on as
// they came: hop-by-hop, framing, HTTP/2 pseudo-headers.
func TestRequestTabLabelsHopByHop(t *testing.T) {
	th := render.NewTheme(256, false)
	f := &store.Flow{ID: 1, Method: "POST", URL: "https://shop.test/up", Proto: "HTTP/1.1",
		ReqHeaders: store.Headers{{Name: "Host", Value: "shop.test"}, {Name: "Connection", Value: "keep-alive"},
			{Name: "Transfer-Encoding", Value: "chunked"}, {Name: "Accept", Value: "*/*"}}}
	got := text(render.FlowTab(th, 2, render.FlowDetail{Flow: f}, 200))
	for _, want := range []string{"not forwarded: for this connection only", "framing: glassbox frames the message it forwards itself"} {
		if !strings.Contains(got, want) {
			t.Errorf("Request tab lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "not forwarded") != 1 {
		t.Errorf("only Connection is hop-by-hop here:\n%s", got)
	}
}
