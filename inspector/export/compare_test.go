package export_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/compare"
	"github.com/glassbox-dev/glassbox/inspector/export"
	"github.com/glassbox-dev/glassbox/store"
)

func TestWriteComparison(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	f := func(id int64, url string, status int, size int64) store.Flow {
		return store.Flow{ID: id, Kind: store.KindHTTP, Method: "GET", URL: url, Status: status, RespBody: store.Body{Size: size},
			Start: t0, End: t0.Add(time.Duration(id) * time.Millisecond)}
	}
	a := compare.Side{Label: "page #1 (Shop)", Flows: []store.Flow{f(1, "https://shop.test/", 200, 5000), f(2, "https://shop.test/a.css", 200, 1200)}}
	b := compare.Side{Label: "page #2 (Shop)", Flows: []store.Flow{f(3, "https://shop.test/", 304, 0), f(4, "https://shop.test/a.css", 304, 0)}}
	res := compare.Compare(a, b)
	var md, html bytes.Buffer
	if err := export.WriteComparison(&md, res, export.FormatMarkdown); err != nil {
		t.Fatal(err)
	}
	if err := export.WriteComparison(&html, res, export.FormatHTML); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Comparing page #1 (Shop) (A) with page #2 (Shop) (B)", "| GET https://shop.test/a.css | 200 | 304 | 1.2 KB |", "| total |  |  | 6.1 KB |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	if !strings.Contains(html.String(), "<td>GET https://shop.test/a.css</td>") {
		t.Errorf("HTML lacks the row:\n%s", html.String())
	}
	t.Log(md.String())
}
