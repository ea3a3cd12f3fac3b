package proxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec/codectest"
)

// The page grouping reads a document's references from the proxy's own
// copy, so it works when --max-body stores no body at all (and for bodies
// the recorder sheds): the stylesheet below is the page's, initiated by its
// HTML, though neither body is stored.
func TestGroupingReadsDocumentsItDoesNotStore(t *testing.T) {
	page := codectest.Encode(t, "gzip", []byte(`<title>Shop</title><link rel=stylesheet href="/app.css">`))
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(page)
		case "/app.css":
			w.Header().Set("Content-Type", "text/css")
			w.Write([]byte("body{color:red}"))
		}
	}))
	defer origin.Close()
	h := newHarness(t, func(c *proxy.Config) { c.MaxBody = -1 })
	c := h.client(nil)
	get := func(path string, kv ...string) {
		req, _ := http.NewRequest("GET", origin.URL+path, nil)
		for i := 0; i+1 < len(kv); i += 2 {
			req.Header.Set(kv[i], kv[i+1])
		}
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get("/", "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document", "Sec-Fetch-Site", "none")
	h.rec.waitFlows(t, 1)
	get("/app.css", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "style", "Referer", origin.URL+"/")
	flows := h.rec.waitFlows(t, 2)
	doc, css := flows[0], flows[1]
	if len(doc.RespBody.Data) != 0 || !doc.RespBody.Truncated || doc.RespBody.Size != int64(len(page)) {
		t.Errorf("document body stored with --max-body none: %d bytes, truncated %v, size %d", len(doc.RespBody.Data), doc.RespBody.Truncated, doc.RespBody.Size)
	}
	want := store.Initiator{Type: store.InitParser, FlowID: doc.ID, URL: origin.URL + "/"}
	if doc.PageID != 1 || css.PageID != 1 || css.Initiator != want || css.ResourceType != store.TypeStylesheet {
		t.Errorf("document in page %d; stylesheet in page %d, %s, initiator %+v; want page 1, initiator %+v", doc.PageID, css.PageID, css.ResourceType, css.Initiator, want)
	}
}
