package har

import (
	"net/url"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// Redacted replaces secret values in exports.
const Redacted = "[redacted by glassbox]"

// secretHeaders are redacted unless NoRedact: they carry credentials
// (RFC 9110 §11.6.2, §11.7.2; RFC 6265 §4).
var secretHeaders = map[string]bool{
	"authorization": true, "proxy-authorization": true, "cookie": true, "set-cookie": true,
}

// cookies reads each header line with parse, leaving out the lines it
// cannot read, and redacts the values unless noRedact: the one place the
// Cookie and Set-Cookie lists of an entry are redacted.
func cookies(lines []string, noRedact bool, parse func(line string) ([]Cookie, error)) []Cookie {
	out := []Cookie{}
	for _, line := range lines {
		cs, err := parse(line)
		if err != nil {
			continue
		}
		for _, c := range cs {
			if !noRedact {
				c.Value = Redacted
			}
			out = append(out, c)
		}
	}
	return out
}

func headers(h store.Headers, opt Options) []NV {
	out := make([]NV, 0, len(h))
	roles := h.Roles()
	for i, f := range h {
		v := f.Value
		if !opt.NoRedact && secretHeaders[strings.ToLower(f.Name)] {
			v = Redacted
		}
		if strings.EqualFold(f.Name, "Referer") || strings.EqualFold(f.Name, "Location") || f.Name == ":path" {
			// URLs, or HTTP/2's request target with its query (RFC 9113 §8.3.1).
			v = redactURL(v, opt.RedactParams, opt.NoRedact)
		}
		out = append(out, NV{Name: f.Name, Value: v, Comment: roleComments[roles[i]]})
	}
	return out
}

// roleComments say in a header's HAR comment what glassbox did not pass on
// as it came (store.Headers.Roles).
var roleComments = map[string]string{
	store.RoleHopByHop: "hop-by-hop: not forwarded (RFC 9110 §7.6.1)",
	store.RoleFraming:  "framing: set anew on the next hop (RFC 9112 §6)",
	store.RolePseudo:   "HTTP/2 pseudo-header (RFC 9113 §8.3)",
	store.RoleProxy:    "for the proxy: not forwarded",
}

func matchesAny(name string, params []string) bool {
	for _, p := range params {
		if strings.EqualFold(name, p) {
			return true
		}
	}
	return false
}

// redactURL replaces the values of the named query parameters.
func redactURL(raw string, params []string, noRedact bool) string {
	if noRedact || len(params) == 0 || !strings.Contains(raw, "?") {
		return raw
	}
	base, query, _ := strings.Cut(raw, "?")
	frag := ""
	if i := strings.IndexByte(query, '#'); i >= 0 {
		query, frag = query[:i], query[i:]
	}
	parts := strings.Split(query, "&")
	for i, kv := range parts {
		k, _, _ := strings.Cut(kv, "=")
		name, _ := url.QueryUnescape(k)
		for _, p := range params {
			if strings.EqualFold(name, p) {
				parts[i] = k + "=" + url.QueryEscape(Redacted)
			}
		}
	}
	return base + "?" + strings.Join(parts, "&") + frag
}
