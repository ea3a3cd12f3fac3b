package compare_test

import (
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/compare"
	"github.com/glassbox-dev/glassbox/store"
)

var t0 = time.Unix(1700000000, 0)

func flow(id int64, method, url string, status int, size int64) store.Flow {
	return store.Flow{ID: id, Kind: store.KindHTTP, Method: method, URL: url, Status: status,
		RespBody: store.Body{Size: size}, Start: t0.Add(time.Duration(id) * time.Millisecond), End: t0.Add(time.Duration(id+5) * time.Millisecond)}
}

// The rules that make two requests "the same": method and URL, with the
// URL normalised (host case, default port, fragment) and the query's
// parameters in any order; a request made twice pairs in order.
func TestMatching(t *testing.T) {
	a := compare.Side{Flows: []store.Flow{
		flow(1, "GET", "http://shop.test/", 301, 0),     // the redirect the browser remembers later (HSTS)
		flow(2, "GET", "https://shop.test/", 200, 5000), // the page
		flow(3, "GET", "https://SHOP.test:443/app.js", 200, 20000),
		flow(4, "GET", "https://api.test/q?b=2&a=1", 200, 300), // a script builds the query in its own order
		flow(5, "GET", "https://img.test/a.png#x", 200, 800),   // a fragment never reaches a server
		flow(6, "GET", "https://img.test/a.png", 200, 800),     // the same image asked for again
		flow(7, "POST", "https://api.test/q?a=1&b=2", 200, 10), // another method: another request
	}}
	b := compare.Side{Flows: []store.Flow{
		flow(11, "GET", "https://shop.test/", 304, 0),
		flow(12, "GET", "https://shop.test/app.js", 304, 0),
		flow(13, "GET", "https://api.test/q?a=1&b=2", 200, 300),
		flow(14, "GET", "https://img.test/a.png", 304, 0),
		flow(15, "GET", "https://img.test/new.png", 200, 100),
	}}
	res := compare.Compare(a, b)
	pairs := map[int64]int64{}
	var onlyA, onlyB []int64
	for _, r := range res.Rows {
		switch {
		case r.A != nil && r.B != nil:
			pairs[r.A.ID] = r.B.ID
		case r.A != nil:
			onlyA = append(onlyA, r.A.ID)
		default:
			onlyB = append(onlyB, r.B.ID)
		}
	}
	want := map[int64]int64{2: 11, 3: 12, 4: 13, 5: 14}
	for a, b := range want {
		if pairs[a] != b {
			t.Errorf("flow %d paired with %d, want %d", a, pairs[a], b)
		}
	}
	if len(pairs) != len(want) || len(onlyA) != 3 || len(onlyB) != 1 || onlyB[0] != 15 {
		t.Errorf("pairs %v, only A %v, only B %v", pairs, onlyA, onlyB)
	}
	if res.Counts.Both != 4 || res.Counts.StatusChanged != 3 || res.TotA.Bytes != 26910 || res.TotB.Bytes != 400 || res.TotB.Revalidated != 3 {
		t.Errorf("counts %+v, bytes %d/%d, revalidated %d", res.Counts, res.TotA.Bytes, res.TotB.Bytes, res.TotB.Revalidated)
	}
	var saved int64
	for _, r := range res.Rows {
		saved += r.Saved()
	}
	if saved != res.TotA.Bytes-res.TotB.Bytes {
		t.Errorf("bytes saved row by row add up to %d, the totals differ by %d", saved, res.TotA.Bytes-res.TotB.Bytes)
	}
}
