package proxy

import (
	"net/http"
	"testing"

	"github.com/glassbox-dev/glassbox/store"
)

// sameRequest tells the block net/http's HTTP/2 server built a request
// from: every table row is a block and the request it is compared with.
func TestSameRequest(t *testing.T) {
	block := func(kv ...string) store.Headers {
		h := store.Headers{{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "https"},
			{Name: ":authority", Value: "shop.test"}, {Name: ":path", Value: "/a?b=1"}}
		for i := 0; i+1 < len(kv); i += 2 {
			h = append(h, store.Header{Name: kv[i], Value: kv[i+1]})
		}
		return h
	}
	req := func(h http.Header) *http.Request {
		return &http.Request{Method: "GET", Host: "shop.test", RequestURI: "/a?b=1", Header: h}
	}
	for _, tc := range []struct {
		name  string
		block store.Headers
		r     *http.Request
		want  bool
	}{
		{"same", block("accept", "*/*", "x-a", "1", "x-a", "2"), req(http.Header{"Accept": {"*/*"}, "X-A": {"1", "2"}}), true},
		{"values-in-other-order", block("x-a", "2", "x-a", "1"), req(http.Header{"X-A": {"1", "2"}}), false},
		{"a-field-more-in-the-block", block("accept", "*/*", "x-b", "1"), req(http.Header{"Accept": {"*/*"}}), false},
		{"a-field-more-in-the-request", block("accept", "*/*"), req(http.Header{"Accept": {"*/*"}, "X-B": {"1"}}), false},
		{"cookie-crumbs-joined", block("cookie", "a=1", "accept", "*/*", "cookie", "b=2"), req(http.Header{"Accept": {"*/*"}, "Cookie": {"a=1; b=2"}}), true},
		{"cookie-crumbs-otherwise", block("cookie", "a=1", "cookie", "b=2"), req(http.Header{"Cookie": {"b=2; a=1"}}), false},
		{"cookie-only-in-the-block", block("cookie", "a=1"), req(http.Header{}), false},
		{"cookie-only-in-the-request", block(), req(http.Header{"Cookie": {"a=1"}}), false},
		{"proxy-fields-taken-out", block("proxy-authorization", store.NotRecorded, "accept", "*/*"), req(http.Header{"Accept": {"*/*"}}), true},
		{"another-path", block(), &http.Request{Method: "GET", Host: "shop.test", RequestURI: "/a", Header: http.Header{}}, false},
		{"another-host", block(), &http.Request{Method: "GET", Host: "img.test", RequestURI: "/a?b=1", Header: http.Header{}}, false},
		{"another-method", block(), &http.Request{Method: "HEAD", Host: "shop.test", RequestURI: "/a?b=1", Header: http.Header{}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sameRequest(tc.block, tc.r); got != tc.want {
				t.Errorf("sameRequest = %v, want %v", got, tc.want)
			}
		})
	}
}
