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
