package store_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/store"
)

func TestNormalizeURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://SHOP.example/", "https://shop.example/"},                   // host case (RFC 3986 §6.2.2.1)
		{"HTTPS://shop.example", "https://shop.example/"},                    // scheme case, empty path is "/" (§6.2.3)
		{"https://shop.example:443/a", "https://shop.example/a"},             // the scheme's default port
		{"http://shop.example:80/a", "http://shop.example/a"},                // likewise for http
		{"http://shop.example:8080/a", "http://shop.example:8080/a"},         // another port stays
		{"https://shop.example/a#top", "https://shop.example/a"},             // the fragment never reaches a server
		{"https://shop.example/A?b=1&a=2", "https://shop.example/A?b=1&a=2"}, // path case and query order are the server's business
		{"https://[2001:DB8::1]:443/", "https://[2001:db8::1]/"},             // an IPv6 literal keeps its brackets
		{"mailto:someone@example.org", "mailto:someone@example.org"},         // opaque: left alone
		{"::not a url", "::not a url"},                                       // unparsable: unchanged
	} {
		if got := store.NormalizeURL(tc.in); got != tc.want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedirectTarget(t *testing.T) {
	for _, tc := range []struct {
		name, base, loc string
		status          int
		want            string
		ok              bool
	}{
		{"absolute", "http://shop.test/", "https://SHOP.test/", 301, "https://shop.test/", true},
		{"bare-host", "http://shop.test/", "https://shop.test", 302, "https://shop.test/", true},
		{"relative-path", "https://shop.test/a/b", "../c", 307, "https://shop.test/c", true},
		{"scheme-relative", "https://shop.test/", "//cdn.test/x", 308, "https://cdn.test/x", true},
		{"not-a-redirect-304", "https://shop.test/", "https://other.test/", 304, "", false},
		{"no-location", "https://shop.test/", "  ", 302, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := store.RedirectTarget(tc.base, tc.status, tc.loc)
			if got != tc.want || ok != tc.ok {
				t.Errorf("RedirectTarget = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// A redirect whose Location is spelt differently from the request the
// browser then makes (host case, no path, default port) stays one page load.
func TestRedirectSpellingsStayInOnePage(t *testing.T) {
	for _, loc := range []string{"https://SHOP.example/", "https://shop.example", "https://shop.example:443/"} {
		t.Run(loc, func(t *testing.T) {
			runScript(t, []step{
				{name: "navigation", url: "http://shop.example/", headers: with(navigate), wantPage: 1, wantNew: true, wantType: "document",
					status: 301, respHdr: hdr("Location", loc)},
				{name: "followed", url: "https://shop.example/", headers: with(navigate), wantPage: 1, wantType: "document"},
			})
		})
	}
}

// The fast path (a URL already in normal form is returned as it is) must
// give what parsing gives, for every URL it takes.
func FuzzNormalizeURL(f *testing.F) {
	for _, u := range []string{"https://shop.test/a?b=1", "http://a.test:8080/x%20y", "https://a.test/(x)*", "https://a.test/p;q@r", "https://A.test/", "http://a.test:80/"} {
		f.Add(u)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		fast := store.NormalizeURL(raw)
		u, err := url.Parse(raw)
		if err != nil || u.Opaque != "" {
			return
		}
		if again := store.NormalizeURL(fast); again != fast {
			t.Fatalf("NormalizeURL(%q) = %q, not stable: %q", raw, fast, again)
		}
		if o := store.Origin(raw); o != "" && !strings.HasPrefix(fast, o) {
			t.Fatalf("Origin(%q) = %q, not a prefix of %q", raw, o, fast)
		}
	})
}
