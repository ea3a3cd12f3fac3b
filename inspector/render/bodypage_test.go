package render_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/render"
)

func bodyPage(f render.FlowDetail, page int) (string, bool) {
	f.BodyPage = page
	lines, more := render.BodyTab(context.Background(), f, 80)
	return text(lines), more
}

// TestBodyPages: a body longer than a page is shown a page at a time; each
// page says which bytes it holds and how to turn it, the last says it is
// the last, and a page past the end says so.
func TestBodyPages(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 2*render.BodyPage+100)
	copy(body[render.BodyPage:], "SECOND-PAGE-STARTS")
	copy(body[2*render.BodyPage:], "THIRD-PAGE-STARTS")
	d := render.FlowDetail{Flow: bodyFlow("application/javascript", "", body, int64(len(body)))}
	tests := []struct {
		page      int
		more      bool
		want, not []string
	}{
		{0, true, []string{"page 1 of 3: the first 1.0 MB; ] shows the next page", "xxxxxxxx"}, []string{"SECOND-PAGE"}},
		{1, true, []string{"page 2 of 3: bytes 1.0 MB to 2.0 MB; ] shows the next page, [ the one before", "SECOND-PAGE-STARTS"}, []string{"THIRD-PAGE"}},
		{2, false, []string{"page 3 of 3: bytes 2.0 MB to 2.0 MB; the end of the body", "THIRD-PAGE-STARTS"}, []string{"SECOND-PAGE"}},
		{5, false, []string{"page 6: the body ends before it ([ goes back)"}, []string{"xxx"}},
	}
	for _, tt := range tests {
		got, more := bodyPage(d, tt.page)
		holds(t, "page "+string(rune('1'+tt.page)), got, tt.want, tt.not)
		if more != tt.more {
			t.Errorf("page %d: more %v, want %v", tt.page+1, more, tt.more)
		}
	}
}

// TestBodyGzipBombIsBounded: 64 MiB of JSON in a small gzip body is
// decoded a page at a time, the Body tab says plainly that it decodes to
// more, and its JSON is indented though the page is cut out of it.
func TestBodyGzipBombIsBounded(t *testing.T) {
	bomb := packed(t, "gzip", "["+strings.Repeat(`{"a":1},`, 8<<20))
	d := render.FlowDetail{Flow: bodyFlow("application/json", "gzip", bomb, int64(len(bomb)))}
	got, more := bodyPage(d, 0)
	holds(t, "first page", got, []string{"decoded the first 1.0 MB; the body decodes to more: ] shows the next 1.0 MB", "[\n  {\n    \"a\": 1\n  },\n  {"}, nil)
	if !more || strings.Count(got, "\"a\": 1") > render.BodyPage/8+1 {
		t.Errorf("more %v, %d objects on the first page", more, strings.Count(got, "\"a\": 1"))
	}
	got, _ = bodyPage(d, 40)
	holds(t, "page 41", got, []string{"page 41: decoded bytes 40.0 MB to 41.0 MB; ] shows the next page", "\n  {\n    \"a\": 1\n  },\n"}, []string{"\n{"})
}

// TestBodyHTMLWithLineBreaksIsIndented: minified HTML with a few line
// breaks of its own is indented like HTML without any; a script keeps its
// lines, and its '<' is no tag.
func TestBodyHTMLWithLineBreaksIsIndented(t *testing.T) {
	page := "<!doctype html>\n<html><head><title>Shop</title></head><body><div class=\"a\"><p>Hello,\nworld</p><script>if (a < b) {\n  go();\n}</script></div>\n</body></html>"
	d := render.FlowDetail{Flow: bodyFlow("text/html; charset=utf-8", "", []byte(page), int64(len(page)))}
	got, _ := bodyPage(d, 0)
	holds(t, "html", got, []string{
		"<html>\n  <head>\n    <title>\n      Shop\n    </title>\n  </head>\n  <body>\n    <div class=\"a\">\n      <p>\n        Hello,\n        world\n      </p>",
		"      <script>\n        if (a < b) {\n          go();\n        }\n      </script>\n    </div>\n  </body>\n</html>",
	}, nil)
}

// TestBodyOneLineScriptKeepsEveryCharacter: a one-line script is cut into
// lines of the pane's width, nothing lost.
func TestBodyOneLineScriptKeepsEveryCharacter(t *testing.T) {
	js := strings.Repeat("var a=1;function é(){return a<2}", 3000)
	d := render.FlowDetail{Flow: bodyFlow("application/javascript", "", []byte(js), int64(len(js)))}
	lines, _ := render.BodyTab(context.Background(), d, 80)
	var got strings.Builder
	for _, l := range lines[5:] { // after the title, the heading and the size
		if render.Width(l.Text()) > 80 {
			t.Fatalf("a line of %d cells", render.Width(l.Text()))
		}
		got.WriteString(l.Text())
	}
	if got.String() != js {
		t.Errorf("the lines hold %d bytes of the %d of the script", got.Len(), len(js))
	}
}
