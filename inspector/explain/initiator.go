package explain

import (
	"strconv"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// What made a request happen (store.Initiator), said for a learner: the
// Request tab's sentence, a flow's story, and the groups of requests no
// page load made.

// heuristicNote is what a guess is labelled with: the grouper decided
// by time or origin alone, not by a reference it saw.
const heuristicNote = "glassbox decided by origin and time alone"

// Initiator says in one sentence what made a request happen, naming the
// flow that caused it ("#1") when one did. A decision glassbox made by
// time or origin alone begins "Probably" and says so. It returns "" for a
// capture that records no initiator (made before glassbox noted them).
func Initiator(i store.Initiator) string {
	claim, detail := initiatorParts(i)
	if claim == "" {
		return ""
	}
	if i.Heuristic {
		claim = "Probably " + strings.ToLower(claim[:1]) + claim[1:] + " (" + heuristicNote + ")"
	}
	return claim + ": " + detail + "."
}

// initiatorParts are the claim, which "Probably" may qualify, and what it
// means, which holds either way.
func initiatorParts(i store.Initiator) (claim, detail string) {
	switch i.Type {
	case store.InitNavigation:
		claim = "The browser went there itself"
		if i.URL != "" {
			claim += ", from the page " + clip(i.URL, 90)
		}
		return claim, "an address typed, a bookmark, a link followed or a form sent starts a page load of its own (a navigation, HTML Living Standard, navigating across documents)"
	case store.InitRedirect:
		return "The browser followed the redirect of " + cause(i),
			"the server answered with a 3xx status and a Location, and the browser asked for that address on its own, unseen by the page's scripts (RFC 9110 §15.4)"
	case store.InitParser:
		return "Requested because the HTML of " + causeOr(i, "the page open at the time") + " references it",
			"the browser reads a document's HTML and asks for the stylesheets, scripts, images and frames it names (HTML Living Standard: link, script, img, iframe)"
	case store.InitStylesheet:
		if i.FlowID == 0 && i.URL != "" {
			return "Requested because the stylesheet " + clip(i.URL, 90) + " references it",
				"the browser had that stylesheet in its cache, so glassbox never saw it travel; a stylesheet names fonts, images and other stylesheets with url() and @import (CSS Values and Units, url(); CSS Cascading, @import)"
		}
		return "Requested because the stylesheet " + causeOr(i, "of the page") + " references it",
			"once it has read a stylesheet, the browser asks for the fonts, images and stylesheets it names with url() and @import (CSS Values and Units, url(); CSS Cascading, @import)"
	case store.InitScript:
		claim = "A script of the page asked for it"
		if i.URL != "" {
			claim += " (the Referer is the page, " + clip(i.URL, 90) + ")"
		}
		return claim, "fetch, XMLHttpRequest or an element the script added, for no HTML or stylesheet glassbox saw names this address"
	case store.InitPreflight:
		return "The browser sent it on its own before a script's request to another origin",
			"a CORS preflight asks that server whether the page may send the real request (Fetch standard, CORS protocol)"
	case store.InitBrowser:
		return "The browser's own traffic", "no page asked for it (updates, sign-in and safe-browsing checks), so it belongs to no page load"
	case store.InitClient:
		return "Another program sent it, not the browser", "its User-Agent is not the browser's, so it belongs to no page load"
	case store.InitUnknown:
		if i.Heuristic {
			return "Part of the page load open at the time", "nothing glassbox saw tells what made this request"
		}
		return "Nothing glassbox saw tells what made this request", "no HTML or stylesheet it saw names the address, and no Referer or Fetch metadata points at a page"
	}
	return "", ""
}

// cause names the flow (and address) that caused a request.
func cause(i store.Initiator) string { return causeOr(i, "an earlier request") }

func causeOr(i store.Initiator, none string) string {
	switch {
	case i.FlowID != 0 && i.URL != "":
		return "#" + strconv.FormatInt(i.FlowID, 10) + " (" + clip(i.URL, 90) + ")"
	case i.FlowID != 0:
		return "#" + strconv.FormatInt(i.FlowID, 10)
	case i.URL != "":
		return clip(i.URL, 90)
	}
	return none
}

// RedirectHop says where a request sits in a redirect chain: hop k of n,
// the chain running from flow first to flow final. It returns "" for a
// request in no chain (n < 2).
func RedirectHop(k, n int, first, final int64) string {
	if n < 2 || k < 1 || k > n {
		return ""
	}
	hop := "Hop " + strconv.Itoa(k) + " of " + strconv.Itoa(n) + " of a redirect chain"
	ref := func(id int64) string { return "#" + strconv.FormatInt(id, 10) }
	switch k {
	case 1:
		hop += ": the request that began it; " + ref(final) + " is the final request"
	case n:
		hop += " that began with " + ref(first) + ": the final request, whose answer the browser kept"
	default:
		hop += " that began with " + ref(first) + " and ends at " + ref(final)
	}
	return hop + ". Each hop is a request of its own, through steps 2 to 7 again; a browser follows up to 20 (Fetch standard, HTTP-redirect fetch)."
}

// Background says what a group of requests no page load made holds:
// initType is store.InitBrowser (the browser's own traffic),
// store.InitClient (other programs), or anything else (the rest).
func Background(initType string) string {
	switch initType {
	case store.InitBrowser:
		return "The browser's own traffic: updates, sign-in and safe-browsing checks, connectivity probes. " +
			"No page asked for these requests, so they belong to no page load."
	case store.InitClient:
		return "Requests from other programs using the proxy: their User-Agent is not the browser's " +
			"(a command-line tool, an app, a script). They belong to no page load."
	}
	return "These requests carried no sign of a page load that made them: no HTML or stylesheet glassbox saw " +
		"names them, no Referer points at a page, and none came during one. Requests made long after a page " +
		"settled, and captures from before glassbox recorded initiators, end up here."
}
