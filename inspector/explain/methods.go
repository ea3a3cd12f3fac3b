package explain

import "strings"

// Method explains a request method in one or two sentences, with the
// section that defines it. Unknown methods get a general answer.
func Method(name string) string {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "GET":
		return "GET asks for a copy of the resource and changes nothing on the server (RFC 9110 §9.3.1)."
	case "HEAD":
		return "HEAD asks for the headers a GET would bring, without the body (RFC 9110 §9.3.2)."
	case "POST":
		return "POST sends data for the server to act on: a form, an upload, an order. Sending it twice may do the action twice (RFC 9110 §9.3.3)."
	case "PUT":
		return "PUT stores the body at this URL, replacing whatever was there (RFC 9110 §9.3.4)."
	case "DELETE":
		return "DELETE asks the server to remove the resource (RFC 9110 §9.3.5)."
	case "CONNECT":
		return "CONNECT asks a proxy to open a tunnel to a host and port; browsers use it to reach https sites through a proxy such as glassbox (RFC 9110 §9.3.6)."
	case "OPTIONS":
		return "OPTIONS asks what is allowed at this URL; browsers send it as a CORS preflight before a cross-origin request that is not simple (RFC 9110 §9.3.7)."
	case "TRACE":
		return "TRACE asks the server to echo the request back, for debugging; browsers never send it (RFC 9110 §9.3.8)."
	case "PATCH":
		return "PATCH changes part of the resource, as the body describes (RFC 5789 §2)."
	}
	return name + " is not a standard HTTP method: only this server knows what it means (RFC 9110 §9.1)."
}
