// Package explain turns what glassbox measured into plain language for
// learners: status codes, headers, phases, errors, and the story of a page
// load. It is pure (no I/O) and imports only the standard library, store
// and store/codec (the one body decoder): cmd/glassbox hands its ErrorPage
// to the proxy for the pages a browser sees when a request fails (the proxy
// itself imports nothing of inspector), and the inspector and the exporters
// use it for everything else. It is a leaf: nothing of the proxy or the
// terminal UI.
//
// The text is our own, written for people learning how the web works, and
// cites the current RFCs by section (RFC 9110 to 9114 for HTTP, 9111 for
// caching, 6265 for cookies, 6797 for HSTS), the Fetch standard for CORS
// and Sec-Fetch-*, and W3C specifications where they are the reference.
//
// One concept per file:
//
//	status.go       status codes and their classes; the registry in
//	                testdata/http-status-codes.csv is IANA's, and a test
//	                keeps the two in step
//	headers.go      what each header field is for
//	headervalue.go  reading one header value, part by part; the readers
//	                live in caching.go, cookies.go, content.go, security.go
//	                and connection.go
//	methods.go      request methods
//	phases.go       timing phases, connection reuse, HTTP versions
//	errors.go       failures, by phase and kind, as advice
//	errorpage.go    the page a browser sees for a failed request
//	notes.go        short notes for one flow, with its numbers
//	story.go        the numbered story of a page load, and of one flow
//	                (FlowStory); storytext.go holds the sentences of steps
//	                1 to 4, storyexchange.go of 5 to 7, resources.go of 8
//	                and 9
//	initiator.go    what made a request happen (the Request tab's
//	                sentence, a flow's story), redirect hops, and the groups
//	                of requests no page load made
//	flow.go         what a flow's fields imply (preflights, unpacked
//	                sizes, where a DNS answer came from), shared by notes
//	                and story; redirect targets, URL comparison and
//	                resource types are store's (url.go, restype.go)
//	format.go       durations and sizes for people
//
// Cookie values and Authorization credentials are named, never repeated:
// explanations get copied into reports and bug trackers.
package explain
