package explain

import (
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

func connection(v string) []string {
	var out []string
	for _, t := range splitList(v) {
		switch strings.ToLower(t) {
		case "keep-alive":
			out = append(out, t+": keep the connection open for more requests after this one; HTTP/1.1 does this by default (RFC 9112 §9.3)")
		case "close":
			out = append(out, t+": close the connection after this response, so the next request needs a new one, with new TCP and TLS handshakes (RFC 9112 §9.6)")
		case "upgrade":
			out = append(out, t+": the Upgrade header applies to this connection: switch protocols, for example to WebSocket (RFC 9110 §7.8)")
		default:
			out = append(out, t+": the "+t+" header is meant for the next hop only, and proxies must remove it (RFC 9110 §7.6.1)")
		}
	}
	return out
}

func keepAlive(v string) []string {
	var out []string
	for _, p := range splitList(v) {
		k, val, _ := param(p)
		n, ok := seconds(val)
		switch {
		case k == "timeout" && ok:
			out = append(out, p+": an idle connection stays open for "+humanSeconds(n)+", then the server closes it")
		case k == "max" && ok:
			out = append(out, p+": the connection may carry at most "+val+" more requests")
		default:
			out = append(out, p+": a parameter glassbox does not know")
		}
	}
	return out
}

func upgrade(v string) []string {
	var out []string
	for _, p := range splitList(v) {
		switch name, _, _ := strings.Cut(strings.ToLower(p), "/"); name {
		case "websocket":
			out = append(out, p+": switch this connection to the WebSocket protocol, for messages in both directions (RFC 6455 §4)")
		case "h2c":
			out = append(out, p+": switch to HTTP/2 without TLS; RFC 9113 §3.1 deprecated this and browsers never used it")
		case "tls":
			out = append(out, p+": start TLS on this connection (RFC 2817), which browsers do not use")
		default:
			out = append(out, p+": switch this connection to "+p)
		}
	}
	return out
}

// altSvc reads Alt-Svc (RFC 7838 §3): h3=":443"; ma=86400, h3-29=":443".
func altSvc(v string) []string {
	if strings.EqualFold(v, "clear") {
		return []string{"clear: forget every alternative way to reach this site learned before (RFC 7838 §3)"}
	}
	var out []string
	for _, alt := range splitList(v) {
		parts := splitOutsideQuotes(alt, ';')
		proto, where, _ := param(parts[0])
		host, port, _ := strings.Cut(where, ":")
		at := "port " + port + " of the same host"
		if host != "" {
			at = "port " + port + " of " + host
		}
		var s string
		switch {
		case proto == "h3":
			s = parts[0] + ": also available over HTTP/3 (QUIC, on UDP) at " + at
		case strings.HasPrefix(proto, "h3-"):
			s = parts[0] + ": also available over a draft version of HTTP/3 at " + at
		case proto == "h2":
			s = parts[0] + ": also available over HTTP/2 at " + at
		default:
			s = parts[0] + ": also available over " + proto + " at " + at
		}
		ma := int64(86400) // RFC 7838 §3.1: the default is 24 hours
		for _, p := range parts[1:] {
			if k, val, _ := param(p); k == "ma" {
				if n, ok := seconds(val); ok {
					ma = n
				}
			}
		}
		out = append(out, s+"; the browser may remember this for "+humanSeconds(ma))
	}
	return out
}

// location says how a redirect target will be read (RFC 9110 §10.2.2,
// RFC 3986 §4.2 for relative references).
func location(v string) []string {
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return []string{v + ": not a valid URL, so the browser cannot follow it"}
	case u.Scheme == "http":
		return []string{v + ": an absolute URL on plain http: the next request will not be encrypted"}
	case u.Scheme != "":
		return []string{v + ": an absolute URL: the browser goes to it as it is"}
	case strings.HasPrefix(v, "//"):
		return []string{v + ": a scheme-relative URL: host " + u.Host + ", with the same scheme (http or https) as the current page"}
	case strings.HasPrefix(v, "/"):
		return []string{v + ": a path on the same host: the browser keeps the current scheme and host and replaces the path"}
	case strings.HasPrefix(v, "?"):
		return []string{v + ": only a new query: the browser keeps the current path"}
	}
	return []string{v + ": relative to the current address's folder, like a relative link in HTML"}
}

func retryAfter(v string) []string {
	if n, ok := seconds(v); ok {
		return []string{v + ": try again in " + humanSeconds(n) + " (RFC 9110 §10.2.3)"}
	}
	if t, ok := parseHTTPDate(v); ok {
		return []string{"try again after " + formatDate(t) + " (RFC 9110 §10.2.3)"}
	}
	return []string{v + ": neither a number of seconds nor a date, so it is ignored"}
}

// priority reads the Priority header (RFC 9218 §4): u=0..7, i.
func priority(v string) []string {
	var out []string
	for _, p := range splitList(v) {
		k, val, has := param(p)
		switch {
		case k == "u":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || n > 7 {
				out = append(out, p+": urgency must be 0 to 7, so it is ignored")
				continue
			}
			s := p + ": urgency " + val + " on a scale from 0 (most urgent) to 7; the default is 3"
			if n < 3 {
				s += ", so this response should come early"
			} else if n > 3 {
				s += ", so this response can wait"
			}
			out = append(out, s+" (RFC 9218 §4.1)")
		case k == "i" && (!has || val == "?1"):
			out = append(out, p+": incremental: the browser can use the response piece by piece as it arrives (RFC 9218 §4.2)")
		default:
			out = append(out, p+": a parameter browsers ignore")
		}
	}
	return out
}

// link reads Link headers (RFC 8288 §3): </a.css>; rel=preload; as=style.
func link(v string) []string {
	var out []string
	for _, l := range splitList(v) {
		parts := splitOutsideQuotes(l, ';')
		target := strings.Trim(parts[0], "<>")
		var rel, as string
		for _, p := range parts[1:] {
			k, val, _ := param(p)
			switch k {
			case "rel":
				rel = strings.ToLower(val)
			case "as":
				as = val
			}
		}
		switch rel {
		case "preload":
			s := target + ": preload: fetch it now, the page will need it"
			if as != "" {
				s += " (as " + as + ")"
			}
			out = append(out, s)
		case "preconnect":
			out = append(out, target+": preconnect: open a connection (DNS, TCP, TLS) to it now, so a later request is faster")
		case "dns-prefetch":
			out = append(out, target+": dns-prefetch: look up its address now")
		case "modulepreload":
			out = append(out, target+": modulepreload: fetch and prepare this JavaScript module now")
		case "prefetch":
			out = append(out, target+": prefetch: fetch it when idle, a later page will probably need it")
		case "canonical":
			out = append(out, target+": canonical: the preferred address of this content, for search engines")
		case "":
			out = append(out, target+": a link without a relation")
		default:
			out = append(out, target+": related as "+rel)
		}
	}
	return out
}

func host(v string) []string {
	h, port, err := net.SplitHostPort(v)
	if err != nil {
		return []string{v + ": the site this request is for, on the scheme's default port"}
	}
	return []string{v + ": the site " + h + ", on port " + port}
}

func origin(v string) []string {
	if v == "null" {
		return []string{"null: an opaque origin: a sandboxed frame, a local file, or a redirect across sites hid the real one"}
	}
	return []string{v + ": the request comes from a page on " + v}
}

// uaProducts finds product tokens like Firefox/125.0 in a User-Agent.
var uaProducts = regexp.MustCompile(`(Firefox|Edg|OPR|Chrome|Version|Safari|curl|Wget|python-requests|Go-http-client)/([0-9]+)`)

func userAgent(v string) []string {
	found := map[string]string{}
	for _, m := range uaProducts.FindAllStringSubmatch(v, -1) {
		if _, ok := found[m[1]]; !ok {
			found[m[1]] = m[2]
		}
	}
	var who string
	switch {
	case found["Firefox"] != "":
		who = "Firefox " + found["Firefox"]
	case found["Edg"] != "":
		who = "Microsoft Edge " + found["Edg"]
	case found["OPR"] != "":
		who = "Opera " + found["OPR"]
	case found["Chrome"] != "":
		who = "Chrome or Chromium " + found["Chrome"]
	case found["Safari"] != "" && found["Version"] != "":
		who = "Safari " + found["Version"]
	case found["curl"] != "":
		who = "the curl command-line tool " + found["curl"]
	case found["Wget"] != "":
		who = "the wget command-line tool " + found["Wget"]
	case found["python-requests"] != "":
		who = "a Python program (requests " + found["python-requests"] + ")"
	case found["Go-http-client"] != "":
		who = "a Go program"
	default:
		return []string{"a client glassbox does not recognise"}
	}
	out := []string{"identifies as " + who}
	if strings.HasPrefix(v, "Mozilla/5.0") {
		out = append(out, "Mozilla/5.0: a historic token every browser sends, so that old servers do not turn it away")
	}
	return out
}

func server(v string) []string {
	if name, version, ok := strings.Cut(strings.Fields(v)[0], "/"); ok {
		return []string{v + ": the server software is " + name + ", version " + version + "; showing the version helps attackers pick known bugs"}
	}
	return []string{v + ": the server software is " + v}
}

func via(v string) []string {
	var out []string
	for _, hop := range splitList(v) {
		f := strings.Fields(hop)
		if len(f) < 2 {
			out = append(out, hop+": a hop without a name")
			continue
		}
		proto := strings.TrimPrefix(f[0], "HTTP/")
		out = append(out, hop+": passed through "+f[1]+", which received it over HTTP/"+proto)
	}
	return out
}

func forwardedFor(v string) []string {
	var out []string
	for i, a := range splitList(v) {
		if i == 0 {
			out = append(out, a+": the original client, as the first proxy saw it (easy to fake unless your own proxy set it)")
		} else {
			out = append(out, a+": a proxy the request passed through")
		}
	}
	return out
}

// forwarded reads RFC 7239 §4: for=192.0.2.60;proto=http;by=203.0.113.43.
func forwarded(v string) []string {
	var out []string
	for _, elem := range splitList(v) {
		for _, p := range splitOutsideQuotes(elem, ';') {
			k, val, _ := param(p)
			switch k {
			case "for":
				out = append(out, p+": the client was "+val)
			case "by":
				out = append(out, p+": the proxy that received it was "+val)
			case "host":
				out = append(out, p+": the client asked for the host "+val)
			case "proto":
				out = append(out, p+": the client used "+val)
			}
		}
	}
	return out
}

// secCHUA reads the brand list of Sec-CH-UA: "Chromium";v="124", ...
func secCHUA(v string) []string {
	var out []string
	for _, e := range splitList(v) {
		parts := splitOutsideQuotes(e, ';')
		brand := unquote(parts[0])
		version := ""
		for _, p := range parts[1:] {
			if k, val, _ := param(p); k == "v" {
				version = val
			}
		}
		lb := strings.ToLower(brand)
		if strings.Contains(lb, "not") && strings.Contains(lb, "brand") {
			out = append(out, brand+" "+version+": a made-up brand browsers add on purpose (GREASE), so servers do not depend on an exact list")
			continue
		}
		out = append(out, brand+" "+version+": the browser says it is "+brand+", major version "+version)
	}
	return out
}

func purpose(v string) []string {
	if strings.HasPrefix(strings.ToLower(v), "prefetch") {
		s := v + ": a prefetch: the browser loads this ahead of time because the user will probably open it next"
		if strings.Contains(strings.ToLower(v), "prerender") {
			s += ", and may even render it in the background"
		}
		return []string{s}
	}
	return []string{v + ": a purpose browsers do not send"}
}

// serverTiming reads Server-Timing (W3C Server Timing): db;dur=53;desc="DB".
func serverTiming(v string) []string {
	var out []string
	for _, m := range splitList(v) {
		parts := splitOutsideQuotes(m, ';')
		name, dur, desc := parts[0], "", ""
		for _, p := range parts[1:] {
			k, val, _ := param(p)
			switch k {
			case "dur":
				dur = val
			case "desc":
				desc = val
			}
		}
		label := name
		if desc != "" {
			label = desc + " (" + name + ")"
		}
		if f, err := strconv.ParseFloat(dur, 64); err == nil {
			out = append(out, label+": took "+trimFloat(f, 1)+" ms on the server")
		} else {
			out = append(out, label+": a marker the server reports, without a time")
		}
	}
	return out
}
