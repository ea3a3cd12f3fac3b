package har_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec/codectest"
	"github.com/glassbox-dev/glassbox/store/har"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// Gzip bombs made an 806 MB HAR at 1.3 GB RSS: each was decoded to 64 MiB
// and written as JSON text, six bytes a zero, with content.size saying
// 64 MiB. Now a body over the limit is not decoded, says so, and carries
// its true size; a body of controls goes as base64; markup is not
// escaped sixfold.
func TestExportBounded(t *testing.T) {
	const bomb = 64 << 20
	bombBody, zeros := codectest.Encode(t, "gzip", make([]byte, bomb)), codectest.Encode(t, "gzip", make([]byte, 2<<20))
	markup := strings.Repeat("<", 1<<20)
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sess, _ := db.StartSession(context.Background(), store.Session{Started: t0})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	flow := func(id int64, ctype, enc string, body []byte) {
		h := hdr("Content-Type", ctype)
		if enc != "" {
			h = append(h, store.Header{Name: "Content-Encoding", Value: enc})
		}
		w.RecordFlow(&store.Flow{ID: id, Kind: "http", Method: "GET", URL: "https://bomb.test/", Proto: "HTTP/1.1", Status: 200,
			RespProto: "HTTP/1.1", RespHeaders: h, RespBody: store.Body{Data: body, Size: int64(len(body))}, Start: at(int(id)), End: at(int(id) + 1)})
	}
	flow(1, "text/plain", "gzip", bombBody)
	flow(2, "text/plain", "gzip", bombBody)
	flow(3, "text/plain", "gzip", zeros)
	flow(4, "text/html", "", []byte(markup))
	w.Close(context.Background())

	out := export(t, db, sess.ID, har.Options{})
	if len(out) > 6<<20 {
		t.Fatalf("the HAR is %d bytes", len(out))
	}
	entries := validate(t, out)["log"].(map[string]any)["entries"].([]any)
	content := func(i int) map[string]any {
		return entries[i].(map[string]any)["response"].(map[string]any)["content"].(map[string]any)
	}
	for i := range 2 {
		c := content(i)
		if c["size"] != float64(bomb) || c["text"] != nil || !strings.HasPrefix(c["comment"].(string), "not decoded: over glassbox's limit") {
			t.Errorf("bomb %d: size %v, text %v, comment %q", i+1, c["size"], c["text"] != nil, c["comment"])
		}
	}
	if c := content(2); c["encoding"] != "base64" || c["size"] != float64(2<<20) {
		t.Errorf("zeros: encoding %v, size %v", c["encoding"], c["size"])
	}
	if c := content(3); c["text"] != markup || bytes.Contains(out, []byte(`\u003c`)) {
		t.Error("markup was not written as it is")
	}
}
