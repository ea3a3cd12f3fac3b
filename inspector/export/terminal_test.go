package export_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/export"
	"github.com/glassbox-dev/glassbox/store"
)

// hostileTitle is a page title as htmlTitle makes it from
// "&#27;[2J&#27;]52;c;aGk=&#7;": HTML-unescaped, it clears the screen and
// writes the clipboard (OSC 52).
const hostileTitle = "\x1b[2J\x1b]52;c;aGk=\x07Shop\u009b2J\nsecond line"

// Every export printed to a terminal holds no byte the terminal acts on,
// whatever the page title, URLs, methods and the imported file's name: the
// reports and curl nothing but newline and tab, the HAR only the newlines
// between its records (C0 escaped by JSON, DEL and C1 by textsafe.JSON).
func TestExportsSafeForTerminal(t *testing.T) {
	page := &store.Page{ID: 1, FlowID: 1, URL: "https://shop.test/\x1b[31m", Title: hostileTitle, Start: start}
	flows := []*store.Flow{
		{ID: 1, PageID: 1, Kind: store.KindHTTP, ResourceType: "document", Method: "GET", URL: "https://shop.test/\x1b[31m?q=\u009b\x9b\xff",
			Status: 200, StatusText: "OK\x1b[2J", RespHeaders: store.Headers{{Name: "Content-Type", Value: "text/html\x07"}},
			Start: start, GotConn: ms(1), WroteRequest: ms(2), FirstByte: ms(3), End: ms(4)},
		{ID: 2, Kind: store.KindHTTP, Method: "PO\u0085ST", URL: "https://t.test/\x7f", Status: 204, Start: ms(5000), End: ms(5001),
			Error: &store.FlowError{Phase: "wait\x1b", Kind: "eof", Message: "closed \x1b]0;title\x07"}},
	}
	r := sessionOf(t, []*store.Page{page}, flows)
	for _, format := range []export.Format{export.FormatMarkdown, export.FormatHTML, export.FormatCurl, export.FormatHAR} {
		t.Run(string(format), func(t *testing.T) {
			var out bytes.Buffer
			if _, err := export.Write(context.Background(), r, &out, export.Options{Format: format, NoRedact: true}); err != nil {
				t.Fatal(err)
			}
			allowed := "\n\t"
			if format == export.FormatHAR {
				allowed = "\n"
			}
			checkTerminalSafe(t, string(format), out.Bytes(), allowed)
			if format == export.FormatMarkdown && strings.Contains(out.String(), "\nsecond line") {
				t.Error("the title's newline began a line of its own")
			}
		})
	}
}
