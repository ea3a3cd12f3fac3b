package explain

import (
	"sort"
	"strconv"
)

// Status explains one HTTP status code.
type Status struct {
	Code    int
	Reason  string // the name in the IANA registry, e.g. "Not Found"
	Class   string // the class's name, e.g. "4xx Client Error"
	Meaning string // what the server is saying
	Browser string // what a browser does next
	Ref     string // where the code is defined, e.g. "RFC 9110 §15.5.5"
}

// ClassInfo explains a class of status codes: the first digit.
type ClassInfo struct {
	Name    string // "2xx Success"
	Meaning string
}

// classes are the five classes of RFC 9110 §15.
var classes = [...]ClassInfo{
	{"1xx Informational", "An interim answer: the request arrived and the work goes on. The final answer follows on the same connection. (RFC 9110 §15.2)"},
	{"2xx Success", "The request arrived, the server understood it, and it did what was asked. (RFC 9110 §15.3)"},
	{"3xx Redirection", "The browser has one more thing to do to finish: usually go to the URL in the Location header, or use the copy it already has. (RFC 9110 §15.4)"},
	{"4xx Client Error", "The server says the request itself is wrong or not allowed: sending it again unchanged will most likely fail again. (RFC 9110 §15.5)"},
	{"5xx Server Error", "The request looked fine, but the server (or a gateway in front of it) failed to carry it out. (RFC 9110 §15.6)"},
}

// Class explains the class a code belongs to. Codes outside 100-599 are not
// HTTP status codes (RFC 9110 §15) and get an entry saying so.
func Class(code int) ClassInfo {
	if code < 100 || code > 599 {
		return ClassInfo{
			Name:    "not a status code",
			Meaning: "HTTP status codes are three digits from 100 to 599; " + strconv.Itoa(code) + " is outside that range, so no HTTP client can make sense of it. (RFC 9110 §15)",
		}
	}
	return classes[code/100-1]
}

// Classes lists the five classes in order, 1xx to 5xx.
func Classes() []ClassInfo {
	return append([]ClassInfo(nil), classes[:]...)
}

// classBrowser is what a browser does with a code it does not know: RFC
// 9110 §15 says to treat it as the x00 code of its class.
var classBrowser = [...]string{
	"Treats it as 100 Continue: keeps waiting for the final answer.",
	"Treats it as 200 OK.",
	"Treats it as 300 Multiple Choices: follows Location if there is one, otherwise shows the body.",
	"Treats it as 400 Bad Request: shows the body as an error.",
	"Treats it as 500 Internal Server Error: shows the body as an error.",
}

// StatusCode explains a status code. It always returns something: a code
// that is not in the IANA registry gets its class's explanation and a note
// that it is not registered.
func StatusCode(code int) Status {
	if s, ok := statuses[code]; ok {
		s.Code = code
		s.Class = Class(code).Name
		return s
	}
	c := Class(code)
	s := Status{Code: code, Reason: "Unassigned", Class: c.Name, Ref: "RFC 9110 §15"}
	if code < 100 || code > 599 {
		s.Reason = "Invalid"
		s.Meaning = c.Meaning
		s.Browser = "Treats the response as broken and shows a network error."
		return s
	}
	s.Meaning = strconv.Itoa(code) + " is not registered with IANA, so it only means what this particular server decided. " + c.Meaning
	s.Browser = classBrowser[code/100-1] + " (RFC 9110 §15: an unknown code counts as the x00 code of its class.)"
	return s
}

// StatusCodes lists every registered code with its explanation, in order.
func StatusCodes() []Status {
	out := make([]Status, 0, len(statuses))
	for code := range statuses {
		out = append(out, StatusCode(code))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// statuses holds every code in the IANA HTTP Status Code Registry
// (testdata/http-status-codes.csv is the registry; a test keeps the two in
// step). Reason is IANA's Description, minus the dates of a temporary
// registration.
var statuses = map[int]Status{
	100: {Reason: "Continue",
		Meaning: "The server has seen the request's headers and invites the client to send the body. A client asks for this with Expect: 100-continue before uploading something large, so it does not send megabytes the server would refuse.",
		Browser: "Browsers rarely ask for it. A client that did sends the body and then waits for the final answer.",
		Ref:     "RFC 9110 §15.2.1"},
	101: {Reason: "Switching Protocols",
		Meaning: "The server agrees to stop speaking HTTP on this connection and switch to the protocol named in its Upgrade header, most often WebSocket.",
		Browser: "From here on the connection carries the new protocol (WebSocket messages, for example), not HTTP requests and responses.",
		Ref:     "RFC 9110 §15.2.2"},
	102: {Reason: "Processing",
		Meaning: "An old WebDAV signal: the server is still working on a long request and says so to keep the client from giving up.",
		Browser: "Browsers ignore it and keep waiting for the final answer. Current WebDAV (RFC 4918) no longer uses it.",
		Ref:     "RFC 2518 §10.1"},
	103: {Reason: "Early Hints",
		Meaning: "A preview sent while the server prepares the real answer: Link headers naming files the page will need, such as stylesheets and fonts.",
		Browser: "May start fetching those files, or open connections to their hosts, right away; then it waits for the final answer.",
		Ref:     "RFC 8297 §2"},
	104: {Reason: "Upload Resumption Supported",
		Meaning: "The server tells the client that this upload can be resumed if the connection breaks, and gives the upload's own URL in Location. It comes from an IETF draft and its registration is temporary.",
		Browser: "Browsers do not act on it yet. Upload libraries that speak the draft keep the URL so they can continue a broken upload instead of starting over.",
		Ref:     "draft-ietf-httpbis-resumable-upload (IETF draft)"},

	200: {Reason: "OK",
		Meaning: "The request worked. For GET the body is the thing asked for; for POST it describes the result of the action.",
		Browser: "Uses the body: draws the page, runs the script, applies the stylesheet, or hands the data to the script that asked.",
		Ref:     "RFC 9110 §15.3.1"},
	201: {Reason: "Created",
		Meaning: "The request created something new, such as an order or an uploaded file. The Location header usually points at it.",
		Browser: "Hands the answer to the page or script that sent the request; it does not go to the new URL by itself.",
		Ref:     "RFC 9110 §15.3.2"},
	202: {Reason: "Accepted",
		Meaning: "The server took the request but has not finished it: the work is queued and its outcome is not known yet.",
		Browser: "Hands the answer to the page; checking later is up to the page's scripts.",
		Ref:     "RFC 9110 §15.3.3"},
	203: {Reason: "Non-Authoritative Information",
		Meaning: "It worked, but a proxy between the client and the server changed the response from what the server sent.",
		Browser: "Treats it like 200 OK.",
		Ref:     "RFC 9110 §15.3.4"},
	204: {Reason: "No Content",
		Meaning: "It worked and there is nothing to send back: the response has no body.",
		Browser: "Stays on the current page (a form or link that gets 204 does not navigate); a script gets an empty body.",
		Ref:     "RFC 9110 §15.3.5"},
	205: {Reason: "Reset Content",
		Meaning: "It worked; the client should clear the form or view that sent the request, ready for new input.",
		Browser: "Handles it much like 204: no body and no navigation. Clearing the form is left to the page.",
		Ref:     "RFC 9110 §15.3.6"},
	206: {Reason: "Partial Content",
		Meaning: "Here is only the part that was asked for with a Range header; Content-Range says which bytes they are.",
		Browser: "Puts the piece in its place: this is how video and audio players jump ahead and how downloads resume.",
		Ref:     "RFC 9110 §15.3.7"},
	207: {Reason: "Multi-Status",
		Meaning: "A WebDAV answer about several files at once: the XML body holds one status for each.",
		Browser: "Passes the XML to the script or WebDAV client that asked; ordinary pages never see it.",
		Ref:     "RFC 4918 §11.1"},
	208: {Reason: "Already Reported",
		Meaning: "Inside a WebDAV 207 body: this member was already listed earlier in the same answer, so it is not repeated.",
		Browser: "Only WebDAV clients read it.",
		Ref:     "RFC 5842 §7.1"},
	226: {Reason: "IM Used",
		Meaning: "The server sent only the changes since the copy the client has (delta encoding), not the whole resource.",
		Browser: "Browsers do not ask for delta encoding, so you will rarely see this code.",
		Ref:     "RFC 3229 §10.4.1"},

	300: {Reason: "Multiple Choices",
		Meaning: "The resource exists in several versions (languages or formats) and the server lets the client choose.",
		Browser: "Follows Location if the server named a preferred choice; otherwise shows the body, which should list the choices.",
		Ref:     "RFC 9110 §15.4.1"},
	301: {Reason: "Moved Permanently",
		Meaning: "The resource has a new, permanent URL, given in the Location header.",
		Browser: "Goes to Location at once and may remember the move, so next time it skips the old URL. For historical reasons a POST is re-sent as a GET.",
		Ref:     "RFC 9110 §15.4.2"},
	302: {Reason: "Found",
		Meaning: "The resource is for now at another URL, given in the Location header; the old URL stays the right one to use.",
		Browser: "Goes to Location at once. For historical reasons a POST is re-sent as a GET. Next time it starts at the original URL again.",
		Ref:     "RFC 9110 §15.4.3"},
	303: {Reason: "See Other",
		Meaning: "The answer is at another URL: fetch Location with GET. Sites use it after a form is sent (post/redirect/get), so that reloading the result page does not send the form twice.",
		Browser: "Goes to Location with a GET request, whatever the first method was.",
		Ref:     "RFC 9110 §15.4.4"},
	304: {Reason: "Not Modified",
		Meaning: "The copy the client already has (named by If-None-Match or If-Modified-Since) is still current, so no body is sent.",
		Browser: "Uses its stored copy, and updates that copy's freshness from the headers of this answer (RFC 9111 §4.3.4).",
		Ref:     "RFC 9110 §15.4.5"},
	305: {Reason: "Use Proxy",
		Meaning: "Deprecated: it told the client to repeat the request through a proxy named in Location, which attackers could abuse.",
		Browser: "Refuses to follow it, for security.",
		Ref:     "RFC 9110 §15.4.6"},
	306: {Reason: "(Unused)",
		Meaning: "Reserved: an early draft of HTTP used it and then dropped it, so no new meaning may be given to it.",
		Browser: "Treats it as an unknown 3xx, that is as 300 Multiple Choices.",
		Ref:     "RFC 9110 §15.4.7"},
	307: {Reason: "Temporary Redirect",
		Meaning: "The resource is for now at another URL: repeat the very same request, same method and body, at Location.",
		Browser: "Goes to Location keeping the method, so a POST stays a POST. Browsers also show an internal 307 when HSTS makes them switch from http to https by themselves.",
		Ref:     "RFC 9110 §15.4.8"},
	308: {Reason: "Permanent Redirect",
		Meaning: "The resource has a new, permanent URL: repeat the very same request, same method and body, at Location.",
		Browser: "Goes to Location keeping the method, and may remember the move for next time.",
		Ref:     "RFC 9110 §15.4.9"},

	400: {Reason: "Bad Request",
		Meaning: "The server could not make sense of the request: broken syntax, a malformed header, or invalid parameters.",
		Browser: "Shows the server's error page, or hands the error to the script that asked.",
		Ref:     "RFC 9110 §15.5.1"},
	401: {Reason: "Unauthorized",
		Meaning: "The request needs a login and had none, or a wrong one. The WWW-Authenticate header says how to log in.",
		Browser: "For Basic or Digest logins, opens a login dialog and retries; otherwise shows the page, often a login form.",
		Ref:     "RFC 9110 §15.5.2"},
	402: {Reason: "Payment Required",
		Meaning: "Reserved for future use. Some APIs use it to say that a payment or a paid plan is needed.",
		Browser: "Shows the body like any other error.",
		Ref:     "RFC 9110 §15.5.3"},
	403: {Reason: "Forbidden",
		Meaning: "The server understood the request and refuses it: this client is not allowed. Logging in again will not help.",
		Browser: "Shows the server's error page, or hands the error to the script that asked.",
		Ref:     "RFC 9110 §15.5.4"},
	404: {Reason: "Not Found",
		Meaning: "The server has nothing at this URL, or prefers not to say that it has.",
		Browser: "For a page, shows the server's error page. For an image, script or stylesheet, that piece is simply missing from the page.",
		Ref:     "RFC 9110 §15.5.5"},
	405: {Reason: "Method Not Allowed",
		Meaning: "The URL exists but does not accept this method, for example a POST to something read-only. The Allow header lists the methods it accepts.",
		Browser: "Shows the error, or hands it to the script that asked.",
		Ref:     "RFC 9110 §15.5.6"},
	406: {Reason: "Not Acceptable",
		Meaning: "The server has no version of the resource that matches the request's Accept headers (format, language, encoding).",
		Browser: "Shows the error; servers seldom send it and serve a default version instead.",
		Ref:     "RFC 9110 §15.5.7"},
	407: {Reason: "Proxy Authentication Required",
		Meaning: "Like 401, but it is a proxy between the client and the server that wants a login; Proxy-Authenticate says how.",
		Browser: "Asks the user for the proxy's login, then sends the request again.",
		Ref:     "RFC 9110 §15.5.8"},
	408: {Reason: "Request Timeout",
		Meaning: "The server gave up waiting for the client to finish sending the request, and closes the connection.",
		Browser: "Often sends the request again on a new connection, especially when the old one had been idle.",
		Ref:     "RFC 9110 §15.5.9"},
	409: {Reason: "Conflict",
		Meaning: "The request clashes with the resource's current state, for example two people editing the same thing at once.",
		Browser: "Hands the error to the page; resolving the clash is up to the page or the user.",
		Ref:     "RFC 9110 §15.5.10"},
	410: {Reason: "Gone",
		Meaning: "The resource used to be here and was removed on purpose, with no new address.",
		Browser: "Shows the error page. It is like 404 but permanent, so it may be cached and search engines drop the URL sooner.",
		Ref:     "RFC 9110 §15.5.11"},
	411: {Reason: "Length Required",
		Meaning: "The server wants a Content-Length header saying how big the request body is.",
		Browser: "Shows the error; browsers normally send Content-Length, so this points at an unusual client or server.",
		Ref:     "RFC 9110 §15.5.12"},
	412: {Reason: "Precondition Failed",
		Meaning: "A condition in the request (If-Match, If-Unmodified-Since) was false, so nothing was changed. This stops one client from overwriting another's update.",
		Browser: "Hands the error to the script, which should reload the current version first.",
		Ref:     "RFC 9110 §15.5.13"},
	413: {Reason: "Content Too Large",
		Meaning: "The request body is larger than the server is willing to take, for example an upload over its size limit.",
		Browser: "Shows the error; the upload has to be made smaller.",
		Ref:     "RFC 9110 §15.5.14"},
	414: {Reason: "URI Too Long",
		Meaning: "The URL is longer than the server will read, usually because of a huge query string.",
		Browser: "Shows the error. Large data belongs in a POST body, not in the URL.",
		Ref:     "RFC 9110 §15.5.15"},
	415: {Reason: "Unsupported Media Type",
		Meaning: "The server does not accept the body's format, as named by Content-Type or Content-Encoding.",
		Browser: "Hands the error to the script, which must send another format (often JSON instead of a form, or the reverse).",
		Ref:     "RFC 9110 §15.5.16"},
	416: {Reason: "Range Not Satisfiable",
		Meaning: "The requested Range lies outside the resource; Content-Range gives its real size.",
		Browser: "A video player or download manager asks again with a range that fits.",
		Ref:     "RFC 9110 §15.5.17"},
	417: {Reason: "Expectation Failed",
		Meaning: "The server cannot do what the Expect header asked, usually Expect: 100-continue.",
		Browser: "Clients send the request again without the Expect header.",
		Ref:     "RFC 9110 §15.5.18"},
	418: {Reason: "(Unused)",
		Meaning: "Reserved so that no real code takes it, because the April Fools' joke \"I'm a teapot\" (RFC 2324) made it famous.",
		Browser: "Treats it as an unknown 4xx, that is as 400 Bad Request.",
		Ref:     "RFC 9110 §15.5.19"},
	421: {Reason: "Misdirected Request",
		Meaning: "This server is not the right one for this URL: the request arrived on a connection that was opened for another host name (HTTP/2 lets a browser share one connection between names covered by the same certificate).",
		Browser: "Sends the request again on a new connection of its own.",
		Ref:     "RFC 9110 §15.5.20"},
	422: {Reason: "Unprocessable Content",
		Meaning: "The body is well formed but its content is not valid, for example a form field that failed the server's checks.",
		Browser: "Hands the error to the page, which usually shows what to correct.",
		Ref:     "RFC 9110 §15.5.21"},
	423: {Reason: "Locked",
		Meaning: "WebDAV: the resource is locked by someone else and cannot be changed now.",
		Browser: "Only WebDAV clients act on it.",
		Ref:     "RFC 4918 §11.3"},
	424: {Reason: "Failed Dependency",
		Meaning: "WebDAV: this action was not done because another action it depended on failed.",
		Browser: "Only WebDAV clients act on it.",
		Ref:     "RFC 4918 §11.4"},
	425: {Reason: "Too Early",
		Meaning: "The server will not act on a request sent in TLS early data (0-RTT), because an attacker could replay it.",
		Browser: "Sends the request again once the TLS handshake is complete.",
		Ref:     "RFC 8470 §5.2"},
	426: {Reason: "Upgrade Required",
		Meaning: "The server refuses to answer over this protocol; its Upgrade header names the one to use.",
		Browser: "Shows the error unless it can switch as asked.",
		Ref:     "RFC 9110 §15.5.22"},
	428: {Reason: "Precondition Required",
		Meaning: "The server insists on a conditional request (with If-Match), so that two clients cannot overwrite each other's changes without noticing.",
		Browser: "Hands the error to the script, which should fetch the current version and send its change with If-Match.",
		Ref:     "RFC 6585 §3"},
	429: {Reason: "Too Many Requests",
		Meaning: "Rate limited: this client sent too many requests in a given time. Retry-After may say when to try again.",
		Browser: "Shows the error or hands it to the script; well-behaved clients wait as long as Retry-After says.",
		Ref:     "RFC 6585 §4"},
	431: {Reason: "Request Header Fields Too Large",
		Meaning: "The request's headers are too big for the server, very often because the site set too many or too large cookies.",
		Browser: "Shows the error. Clearing the site's cookies usually fixes it.",
		Ref:     "RFC 6585 §5"},
	451: {Reason: "Unavailable For Legal Reasons",
		Meaning: "The server may not show this resource for legal reasons, such as a court order.",
		Browser: "Shows the body; a Link header with rel=\"blocked-by\" may name who is blocking it.",
		Ref:     "RFC 7725 §3"},

	500: {Reason: "Internal Server Error",
		Meaning: "Something unexpected went wrong inside the server, often a bug or a crash in the application.",
		Browser: "Shows the error page. Retrying may or may not help; the server's logs say more.",
		Ref:     "RFC 9110 §15.6.1"},
	501: {Reason: "Not Implemented",
		Meaning: "The server does not support the request's method at all.",
		Browser: "Shows the error, or hands it to the script that asked.",
		Ref:     "RFC 9110 §15.6.2"},
	502: {Reason: "Bad Gateway",
		Meaning: "A gateway or proxy got no valid answer from the server behind it. glassbox answers 502 itself when it cannot reach a server, with a page that explains why.",
		Browser: "Shows the error page; the problem is between the gateway and the server, not in the browser.",
		Ref:     "RFC 9110 §15.6.3"},
	503: {Reason: "Service Unavailable",
		Meaning: "The server cannot handle the request right now: overloaded or down for maintenance. Retry-After may say when to come back.",
		Browser: "Shows the error page; trying again later usually works.",
		Ref:     "RFC 9110 §15.6.4"},
	504: {Reason: "Gateway Timeout",
		Meaning: "A gateway or proxy gave up waiting for the server behind it.",
		Browser: "Shows the error page; the server behind the gateway is slow or stuck.",
		Ref:     "RFC 9110 §15.6.5"},
	505: {Reason: "HTTP Version Not Supported",
		Meaning: "The server refuses the HTTP version the request was sent in.",
		Browser: "Shows the error; browsers and servers normally agree on a version before this can happen.",
		Ref:     "RFC 9110 §15.6.6"},
	506: {Reason: "Variant Also Negotiates",
		Meaning: "A configuration mistake in content negotiation: the version the server picked would itself need picking, which would never end.",
		Browser: "Shows the error; only the server's owner can fix it.",
		Ref:     "RFC 2295 §8.1"},
	507: {Reason: "Insufficient Storage",
		Meaning: "WebDAV: the server has no room to store what the request asked for.",
		Browser: "Only WebDAV clients act on it; a page shows it as an error.",
		Ref:     "RFC 4918 §11.5"},
	508: {Reason: "Loop Detected",
		Meaning: "WebDAV: the server found an endless loop while working on the request and stopped.",
		Browser: "Only WebDAV clients act on it; a page shows it as an error.",
		Ref:     "RFC 5842 §7.2"},
	510: {Reason: "Not Extended (OBSOLETED)",
		Meaning: "From an HTTP extension framework that never caught on: the server wanted a mandatory extension the request did not use. RFC 2774 has since been moved to Historic status.",
		Browser: "Treats it like 500 Internal Server Error.",
		Ref:     "RFC 2774 §7"},
	511: {Reason: "Network Authentication Required",
		Meaning: "A captive portal (hotel or airport Wi-Fi, for example) caught the request: you must log in to the network before you can reach anything.",
		Browser: "Shows the portal's page, which leads to the network login. Browsers also check for captive portals on their own.",
		Ref:     "RFC 6585 §6"},
}
