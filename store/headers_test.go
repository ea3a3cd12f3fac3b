package store_test

import (
	"slices"
	"testing"

	"github.com/glassbox-dev/glassbox/store"
)

func TestHeaderRoles(t *testing.T) {
	h := hdr(":method", "GET", "Host", "shop.test", "Connection", "keep-alive, X-Trace", "X-Trace", "1",
		"Keep-Alive", "timeout=5", "Transfer-Encoding", "chunked", "Proxy-Authorization", "[not recorded]", "Accept", "*/*")
	want := []string{store.RolePseudo, "", store.RoleHopByHop, store.RoleHopByHop, // X-Trace: named by Connection
		store.RoleHopByHop, store.RoleFraming, store.RoleProxy, ""}
	if got := h.Roles(); !slices.Equal(got, want) {
		t.Errorf("roles %q, want %q", got, want)
	}
}

func TestFieldRolesExceptions(t *testing.T) {
	for _, c := range []struct {
		name string
		h    store.Headers
		want []string
	}{
		// A WebSocket upgrade's Connection and Upgrade are relayed; the
		// other fields Connection names are still the hop's own.
		{"websocket", hdr("Connection", "Upgrade, X-Hop", "Upgrade", "websocket", "X-Hop", "1", "Keep-Alive", "5"),
			[]string{"", "", store.RoleHopByHop, store.RoleHopByHop}},
		// Any other upgrade is this connection's offer only (h2c).
		{"h2c", hdr("Connection", "Upgrade, HTTP2-Settings", "Upgrade", "h2c", "HTTP2-Settings", "AAA"),
			[]string{store.RoleHopByHop, store.RoleHopByHop, store.RoleHopByHop}},
		// TE: trailers alone goes on, named by Connection or not; any other TE does not.
		{"te-trailers", hdr("Connection", "TE", "TE", "trailers"), []string{store.RoleHopByHop, ""}},
		{"te-other", hdr("TE", "trailers, deflate"), []string{store.RoleHopByHop}},
		{"proxy-authenticate", hdr("Proxy-Authenticate", "Basic"), []string{store.RoleProxy}},
		// Past the rule's room for four tokens, over two fields; case and
		// spaces do not matter.
		{"many-tokens", hdr("Connection", "close, X-A,,X-B", "connection", " x-c ,X-D, X-E", "X-E", "1", "x-a", "2",
			"X-F", "3", "KEEP-ALIVE", "4"),
			[]string{store.RoleHopByHop, store.RoleHopByHop, store.RoleHopByHop, store.RoleHopByHop, "", store.RoleHopByHop}},
		// A name is ASCII: no other letter folds into one (a Kelvin sign is not a K).
		{"not-ascii", hdr("\u212Aeep-Alive", "5", "Connection", "x-\u212A", "X-K", "1"), []string{"", store.RoleHopByHop, ""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.h.Roles(); !slices.Equal(got, c.want) {
				t.Errorf("roles %q, want %q", got, c.want)
			}
		})
	}
}

// The proxy applies the rule to both heads of every request: it must not
// allocate for a usual head.
func TestFieldRoleAllocatesNothing(t *testing.T) {
	h := hdr("Connection", "keep-alive, X-Trace", "Content-Type", "text/html", "X-Trace", "1", "TE", "trailers")
	conn := h.Values("Connection")
	got := testing.AllocsPerRun(100, func() {
		rule := store.FieldRoles(conn, "")
		for _, f := range h {
			rule.Role(f.Name, f.Value)
		}
	})
	if got != 0 {
		t.Errorf("%v allocations a head, want none", got)
	}
}

// Field names compare as HTTP's tokens do: ASCII case does not matter,
// anything else must be the same byte.
func TestHeadersGetComparesNamesAsHTTP(t *testing.T) {
	h := store.Headers{{Name: "content-TYPE", Value: "text/html"}, {Name: "X-\u212aey", Value: "kelvin"},
		{Name: "Accept", Value: "a"}, {Name: "accept", Value: "b"}, {Name: "Accept-Language", Value: "en"}}
	for _, c := range []struct{ name, want string }{
		{"Content-Type", "text/html"}, {"CONTENT-type", "text/html"}, {"Content-Typ", ""}, {"Content-Types", ""},
		{"X-Key", ""}, {"x-kEY", ""}, {"X-\u212aey", "kelvin"}, {"Accept", "a"}, {"", ""}, {"Content_Type", ""},
	} {
		if got := h.Get(c.name); got != c.want {
			t.Errorf("Get(%q) = %q, want %q", c.name, got, c.want)
		}
	}
	if got := h.Values("ACCEPT"); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf(`Values("ACCEPT") = %q, want [a b]`, got)
	}
}
