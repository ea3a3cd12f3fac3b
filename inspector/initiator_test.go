package inspector

import (
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
)

// The Request tab says what made the request happen, in explain's words,
// and i goes to the flow that did, up the chain to the navigation.
func TestRequestTabAndJumpToTheInitiator(t *testing.T) {
	h := start(t, Options{Reader: newFixture(t).db}, 120, 40)
	h.press(down(lineFont), tcell.KeyEnter, "3")
	h.contains("flow #7", "Initiator", "Requested because the stylesheet #2 (https://cdn.shop.test/app.css) references it:",
		"i goes to #2", "Request line")
	h.press("i") // from the detail pane: the detail follows the selection
	h.contains("flow #2", "#2, which initiated #7", "Requested because the HTML of #1 (https://shop.test/) references it:")
	h.press("i")
	h.contains("flow #1", "#1, which initiated #2", "The browser went there itself:")
	if strings.Contains(h.text(), " goes to #") {
		t.Error("a navigation offers to go to an initiator it does not have")
	}
	h.press("i")
	h.contains("no recorded flow initiated #1 (its Request tab says what did)", "flow #1")
	// A guess says so.
	h.press(tcell.KeyEsc, "g", down(5), tcell.KeyEnter)
	h.contains("flow #5", "Probably requested because the HTML of #1 (https://shop.test/) references it (glassbox decided by origin and time")
}

// H folds the redirect to the cart into its final request; the folded line
// says how many hops it hides, the Request tab which hop it is, and i
// unfolds the chain to reach the redirect.
func TestGoldenFoldRedirectChains(t *testing.T) {
	h := start(t, Options{Reader: newFixture(t).db}, 120, 40)
	h.press(down(lineCart), "H")
	h.contains("redirect chains folded into their final requests (↪ N hops); H unfolds them")
	h.press(tcell.KeyEnter, "3")
	h.golden("hops")
	h.contains("↪ 1 hop", "redirect chains folded", "flow #14",
		"The browser followed the redirect of #13 (http://shop.test/cart):", "Hop 2 of 2 of a redirect chain that began with #13")
	if strings.Contains(h.text(), "GET     301") {
		t.Error("the folded chain still lists its redirect")
	}
	h.press("i")
	h.contains("#13, which initiated #14 (redirect chains unfolded to show it)", "flow #13", "GET     301",
		"Hop 1 of 2 of a redirect chain: the request that began it; #14 is the final request.")
	h.press(tcell.KeyEsc, "H")
	h.contains("redirect chains folded", "flow #14") // the selected hop hands over to its final request
	h.press("H")
	h.contains("redirect chains unfolded", "GET     301")
}

// The browser's own traffic is a group of its own, after the page loads
// and folded, told in explain's words; init: filters by initiator.
func TestBackgroundGroupAndInitFilter(t *testing.T) {
	h := start(t, Options{Reader: newFixture(t).db}, 120, 40)
	h.press(down(lineProbe - 1))
	h.contains("▸ the browser itself  its own traffic: no page asked for it", "The browser's own traffic: updates",
		"1 request · 8 B · started 10:00:01.500")
	h.press("/init:css,redirect", tcell.KeyEnter)
	h.contains("2 flows match init:css,redirect", "/font.woff2", "↪ #13")
	if strings.Contains(h.text(), "/app.css") {
		t.Error("init:css kept a flow the HTML asked for")
	}
}

// At 200 columns the list has room for the clock and the initiator; at
// 70 the initiator is the first column to go.
func TestInitiatorColumnWidths(t *testing.T) {
	h := start(t, Options{Reader: newFixture(t).db}, 200, 50)
	h.press("z")
	h.contains("TIME         METHOD  ST  TYPE       INITIATOR    HOST", "10:00:00.070 GET     200 stylesheet html #1      cdn.shop.test")
	h.s.SetSize(70, 24)
	h.sync()
	if strings.Contains(h.text(), "INIT") || strings.Contains(h.text(), "html #1") {
		t.Errorf("the initiator column stayed at 70 columns:\n%s", h.text())
	}
	h.contains("/i…go.png", "/i…ng.png") // the path's room is what it was before initiators, its end kept: two images told apart
}
