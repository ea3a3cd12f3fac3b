package explain

import (
	"strconv"
	"strings"
)

// cookieName returns the name of a Set-Cookie or Cookie pair, never its
// value: captures hold session tokens, and explanations get copied around.
func cookieName(pair string) string {
	name, _, _ := strings.Cut(pair, "=")
	return strings.TrimSpace(name)
}

// setCookie reads a Set-Cookie line (RFC 6265 §4.1; SameSite and the name
// prefixes come from its revision, RFC 6265bis, which browsers follow).
func setCookie(v string) []string {
	parts := strings.Split(v, ";")
	name := cookieName(parts[0])
	out := []string{"stores a cookie named " + name + " in the browser, to be sent back with later requests to this site"}
	c := parseCookieAttrs(parts[1:])
	if s := prefixSentence(name, c); s != "" {
		out = append(out, s)
	}
	for _, k := range c.order {
		if s := attrSentence(k, c.attrs[k], c); s != "" {
			out = append(out, s)
		}
	}
	return append(out, missingAttrs(c)...)
}

// cookieAttrs are a Set-Cookie line's attributes, by lower-case name, and
// the order they were written in.
type cookieAttrs struct {
	attrs map[string]string
	order []string
}

func parseCookieAttrs(parts []string) cookieAttrs {
	c := cookieAttrs{attrs: map[string]string{}}
	for _, a := range parts {
		k, val, _ := param(a)
		if k == "" {
			continue
		}
		if _, seen := c.attrs[k]; !seen {
			c.order = append(c.order, k)
		}
		c.attrs[k] = val
	}
	return c
}

func (c cookieAttrs) has(k string) bool { _, ok := c.attrs[k]; return ok }

// prefixSentence reads the __Host- and __Secure- name prefixes.
func prefixSentence(name string, c cookieAttrs) string {
	secure := c.has("secure")
	switch {
	case strings.HasPrefix(name, "__Host-"):
		if secure && !c.has("domain") && c.has("path") && c.attrs["path"] == "/" {
			return "__Host- prefix: the browser keeps it only because it came over https with Secure, Path=/ and no Domain, so it stays bound to exactly this host (RFC 6265bis §4.1.3.2)"
		}
		return "__Host- prefix without Secure, Path=/ and no Domain: the browser rejects this cookie (RFC 6265bis §4.1.3.2)"
	case strings.HasPrefix(name, "__Secure-"):
		if secure {
			return "__Secure- prefix: the browser keeps it only because it came over https with Secure, so an http page cannot plant a fake one (RFC 6265bis §4.1.3.1)"
		}
		return "__Secure- prefix without Secure: the browser rejects this cookie (RFC 6265bis §4.1.3.1)"
	}
	return ""
}

// attrSentence reads one attribute.
func attrSentence(k, val string, c cookieAttrs) string {
	switch k {
	case "secure":
		return "Secure: sent only over https, never over plain http (RFC 6265 §4.1.2.5)"
	case "httponly":
		return "HttpOnly: hidden from the page's JavaScript (document.cookie cannot read it), so an injected script cannot steal it (RFC 6265 §4.1.2.6)"
	case "samesite":
		return sameSiteSentence(val, c.has("secure"))
	case "max-age":
		return maxAgeSentence(val, c.has("expires"))
	case "expires":
		if t, ok := parseHTTPDate(val); ok {
			return "Expires: kept until " + formatDate(t) + " (RFC 6265 §4.1.2.1)"
		}
		return "Expires=" + val + ": not a date the browser can read, so it is ignored"
	case "domain":
		return "Domain=" + val + ": sent to " + strings.TrimPrefix(val, ".") + " and every subdomain of it (RFC 6265 §4.1.2.3)"
	case "path":
		if val == "/" {
			return "Path=/: sent with requests for every path on the site (RFC 6265 §4.1.2.4)"
		}
		return "Path=" + val + ": sent only with requests whose path starts with " + val + " (RFC 6265 §4.1.2.4)"
	case "partitioned":
		return "Partitioned: kept in a separate cookie jar for each top-level site it is embedded in, so it cannot follow the user across sites (CHIPS)"
	}
	return ""
}

func maxAgeSentence(val string, hasExpires bool) string {
	n, err := strconv.ParseInt(val, 10, 64)
	switch {
	case err != nil:
		return "Max-Age=" + val + ": not a number, so it is ignored"
	case n <= 0:
		return "Max-Age=" + val + ": deletes the cookie at once; this is how a site removes a cookie (RFC 6265 §4.1.2.2)"
	}
	s := "Max-Age=" + val + ": kept for " + humanSeconds(n) + ", then deleted (RFC 6265 §4.1.2.2)"
	if hasExpires {
		s += "; Max-Age wins over Expires"
	}
	return s
}

// missingAttrs says what the absence of the usual attributes means.
func missingAttrs(c cookieAttrs) []string {
	var out []string
	if !c.has("max-age") && !c.has("expires") {
		out = append(out, "no Expires or Max-Age: a session cookie, deleted when the browser session ends (RFC 6265 §4.1.2.1)")
	}
	if !c.has("domain") {
		out = append(out, "no Domain: sent only to the host that set it, not to its subdomains (RFC 6265 §4.1.2.3)")
	}
	if !c.has("samesite") {
		out = append(out, "no SameSite: Chrome and Edge treat it as SameSite=Lax; other browsers may still send it with cross-site requests")
	} else if strings.EqualFold(c.attrs["samesite"], "none") && !c.has("secure") {
		out = append(out, "SameSite=None without Secure: browsers reject this cookie")
	}
	return out
}

func sameSiteSentence(val string, secure bool) string {
	switch strings.ToLower(val) {
	case "strict":
		return "SameSite=Strict: sent only with requests made from this same site; following a link from another site arrives without it (RFC 6265bis §4.1.2.7)"
	case "lax":
		return "SameSite=Lax: sent with requests from this site and when the user follows a link here from another site, but not with images, frames or fetches that other sites' pages make (RFC 6265bis §4.1.2.7)"
	case "none":
		s := "SameSite=None: sent with cross-site requests too, for example when this site is embedded in another (RFC 6265bis §4.1.2.7)"
		if !secure {
			s += "; browsers require Secure with it"
		}
		return s
	}
	return "SameSite=" + val + ": not a known value (Strict, Lax or None)"
}

// cookie reads a Cookie request header: names only, never values.
func cookie(v string) []string {
	var names []string
	for _, pair := range strings.Split(v, ";") {
		if n := cookieName(pair); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return []string{"sends " + Plural(len(names), "cookie") + " back to the site: " + strings.Join(names, ", ") + " (RFC 6265 §5.4)"}
}

// cookieNames lists the names in every Cookie or Set-Cookie value.
func cookieNames(values []string, set bool) []string {
	var names []string
	for _, v := range values {
		if set {
			if n := cookieName(strings.Split(v, ";")[0]); n != "" {
				names = append(names, n)
			}
			continue
		}
		for _, pair := range strings.Split(v, ";") {
			if n := cookieName(pair); n != "" {
				names = append(names, n)
			}
		}
	}
	return names
}

// authorization names the scheme of a credential and never repeats it.
func authorization(v string) []string {
	scheme, _, _ := strings.Cut(v, " ")
	switch strings.ToLower(scheme) {
	case "basic":
		return []string{"Basic: a user name and password, only base64-encoded, not encrypted, so it is safe only over https (RFC 7617 §2)"}
	case "bearer":
		return []string{"Bearer: a token; whoever holds it is let in, so it must stay secret (RFC 6750 §2.1)"}
	case "digest":
		return []string{"Digest: proof of a password without sending it (RFC 7616 §3.4)"}
	case "negotiate":
		return []string{"Negotiate: a Kerberos or NTLM ticket from the operating system's login (RFC 4559 §4)"}
	}
	return []string{scheme + ": an authentication scheme; its credentials follow (hidden here)"}
}

func wwwAuthenticate(v string) []string {
	scheme, rest, _ := strings.Cut(v, " ")
	var out []string
	switch strings.ToLower(scheme) {
	case "basic":
		out = append(out, "Basic: log in with a user name and password; browsers show their own login dialog for it (RFC 7617 §2)")
	case "bearer":
		out = append(out, "Bearer: send a token, usually obtained from a login service (RFC 6750 §3)")
	case "digest":
		out = append(out, "Digest: prove you know the password without sending it (RFC 7616 §3.3)")
	case "negotiate":
		out = append(out, "Negotiate: log in with the operating system's Kerberos or NTLM ticket (RFC 4559 §4)")
	default:
		out = append(out, scheme+": the authentication scheme the server wants")
	}
	for _, p := range splitList(rest) {
		if k, val, _ := param(p); k == "realm" {
			out = append(out, "realm=\""+val+"\": the name of the protected area, shown in the login dialog (RFC 9110 §11.5)")
		}
	}
	return out
}
