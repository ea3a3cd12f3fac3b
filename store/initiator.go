package store

// Initiator is what made a request happen, as a browser's network panel
// shows it: the navigation, the redirect, the document or stylesheet that
// references the URL, a script, the browser itself, another program. The
// grouper decides it as the request arrives, from what glassbox has seen
// (the HTML and CSS that passed through it, Referer, Fetch metadata,
// User-Agent) and says how sure it is: Heuristic marks a decision made by
// time or origin alone, which the views label as such.
type Initiator struct {
	Type string // one of the Init constants
	// FlowID is the flow that caused this one: the redirect, or the
	// document or stylesheet whose body references the URL; 0 when no
	// recorded flow did (a typed URL, a stylesheet served from the
	// browser's cache, a script's request, a preflight).
	FlowID int64
	// URL is the initiating document, stylesheet or redirect's URL, when
	// known (from the flow, or from Referer when no flow is known).
	URL string
	// Heuristic is true when the decision rests on time or origin alone,
	// not on a reference glassbox saw: the views say "probably".
	Heuristic bool
}

// Initiator types.
const (
	// InitNavigation: the user went there (typed URL, bookmark, link,
	// form, reload, history): a top-level page load begins.
	InitNavigation = "navigation"
	// InitRedirect: the browser followed the redirect of flow FlowID.
	InitRedirect = "redirect"
	// InitParser: the URL is referenced by the HTML of document FlowID
	// (src, href, srcset, link rel=stylesheet/preload/prefetch, iframe,
	// meta refresh); an iframe's document load is one too.
	InitParser = "parser"
	// InitStylesheet: the URL is referenced by stylesheet FlowID (url()
	// or @import), or by a stylesheet the browser had in its cache (URL
	// set, FlowID 0).
	InitStylesheet = "stylesheet"
	// InitScript: a page's script asked (fetch, XMLHttpRequest, a
	// dynamically inserted element, a WebSocket): the URL is in no HTML or
	// CSS glassbox saw for that page.
	InitScript = "script"
	// InitPreflight: a CORS preflight (OPTIONS) the browser sends before
	// a script's request to another origin (Fetch standard, CORS protocol).
	InitPreflight = "preflight"
	// InitBrowser: the browser's own traffic (updates, sign-in checks,
	// safe browsing): no page asked for it, and it joins none.
	InitBrowser = "browser"
	// InitClient: another program sent it (a different User-Agent from
	// the browser's, a command-line tool): it joins no page.
	InitClient = "client"
	// InitUnknown: nothing glassbox saw tells.
	InitUnknown = "unknown"
)

// HARInitiatorType is the type Chrome's HAR writes in _initiator for an
// initiator: parser (HTML and CSS references), script, preflight, or other
// (navigations, redirects, the browser, other programs, unknown).
func (i Initiator) HARInitiatorType() string {
	switch i.Type {
	case InitParser, InitStylesheet:
		return "parser"
	case InitScript, InitPreflight:
		return i.Type
	}
	return "other"
}
