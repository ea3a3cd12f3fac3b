package fuzz_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/har"
)

type nopRecorder struct{ flows int }

func (r *nopRecorder) RecordFlow(*store.Flow)   { r.flows++ }
func (*nopRecorder) RecordConn(*store.Conn)     {}
func (*nopRecorder) RecordLookup(*store.Lookup) {}
func (*nopRecorder) RecordPage(*store.Page)     {}
func (*nopRecorder) Stats() store.RecorderStats { return store.RecorderStats{} }

// FuzzImport: whatever the file holds, Import returns an error or counts
// what it recorded; it never panics.
func FuzzImport(f *testing.F) {
	f.Add([]byte(`{"log":{"version":"1.2","entries":[]}}`))
	f.Add([]byte(`{"log":{"version":"1.2","pages":[{"id":"p","title":"t","startedDateTime":"2024-01-01T00:00:00Z","pageTimings":{}}],"entries":[{"pageref":"p","startedDateTime":"2024-01-01T00:00:00Z","time":1,"request":{"method":"GET","url":"https://a.test/","httpVersion":"h2","headers":[],"cookies":[],"queryString":[],"headersSize":-1,"bodySize":0},"response":{"status":200,"statusText":"","httpVersion":"h2","headers":[{"name":"content-encoding","value":"gzip"}],"cookies":[],"content":{"size":2,"mimeType":"text/plain","text":"aGk=","encoding":"base64"},"redirectURL":"","headersSize":-1,"bodySize":2},"cache":{},"timings":{"blocked":-1,"dns":3,"connect":9,"ssl":5,"send":0,"wait":1,"receive":0},"connection":"7","_dns":{"source":"network","answers":[{"type":"A","addr":"127.0.0.1","ttl":5}]}}]}}`))
	f.Add([]byte(`{"log":{"entries":[{"startedDateTime":"x"}]}}`))
	f.Add([]byte(`{"log":{"version":"1.2","entries":[{"startedDateTime":"2024-01-01T00:00:00Z","request":{"method":"GET","url":"x"},"response":{"status":0,"content":{"text":"@@","encoding":"base64"}}}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rec := &nopRecorder{}
		st, err := har.Import(context.Background(), bytes.NewReader(b), rec, har.ImportOptions{})
		if err == nil && st.Entries != rec.flows {
			t.Fatalf("stats say %d entries, %d recorded", st.Entries, rec.flows)
		}
	})
}
