package explain_test

import (
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

// inOrder reports whether got holds the parts of want, split at "…", in
// that order.
func inOrder(got, want string) bool {
	for _, part := range strings.Split(want, "…") {
		i := strings.Index(got, part)
		if i < 0 {
			return false
		}
		got = got[i+len(part):]
	}
	return true
}

func TestInitiator(t *testing.T) {
	for name, tt := range map[string]struct {
		in   store.Initiator
		want string // parts of the sentence, between "…"
	}{
		"html-of-a-flow": {store.Initiator{Type: store.InitParser, FlowID: 1, URL: "https://shop.test/"},
			"Requested because the HTML of #1 (https://shop.test/) references it: …HTML Living Standard"},
		"html-guessed": {store.Initiator{Type: store.InitParser, Heuristic: true},
			"Probably requested because the HTML of the page open at the time references it (glassbox decided by origin and time alone): "},
		"stylesheet-of-a-flow": {store.Initiator{Type: store.InitStylesheet, FlowID: 3},
			"Requested because the stylesheet #3 references it: …url() and @import"},
		"stylesheet-from-the-cache": {store.Initiator{Type: store.InitStylesheet, URL: "https://cdn.test/a.css", Heuristic: true},
			"Probably requested because the stylesheet https://cdn.test/a.css references it…in its cache"},
		"script-with-referer": {store.Initiator{Type: store.InitScript, URL: "https://shop.test/"},
			"A script of the page asked for it (the Referer is the page, https://shop.test/): fetch, XMLHttpRequest"},
		"redirect": {store.Initiator{Type: store.InitRedirect, FlowID: 13, URL: "http://shop.test/cart"},
			"The browser followed the redirect of #13 (http://shop.test/cart): …RFC 9110 §15.4"},
		"navigation": {store.Initiator{Type: store.InitNavigation}, "The browser went there itself: …navigation"},
		"preflight":  {store.Initiator{Type: store.InitPreflight}, "before a script's request to another origin…CORS"},
		"browser":    {store.Initiator{Type: store.InitBrowser}, "The browser's own traffic: …no page load"},
		"client":     {store.Initiator{Type: store.InitClient}, "Another program sent it, not the browser: …User-Agent"},
		"unknown":    {store.Initiator{Type: store.InitUnknown}, "Nothing glassbox saw tells what made this request"},
		"unknown-but-in-a-page-by-time": {store.Initiator{Type: store.InitUnknown, Heuristic: true},
			"Probably part of the page load open at the time (glassbox decided by origin and time alone)"},
	} {
		got := explain.Initiator(tt.in)
		if !inOrder(got, tt.want) {
			t.Errorf("%s: %q, want %q", name, got, tt.want)
		}
		if !strings.HasSuffix(got, ".") || strings.Count(got, "Probably") > 1 {
			t.Errorf("%s: not one sentence: %q", name, got)
		}
	}
	if got := explain.Initiator(store.Initiator{}); got != "" {
		t.Errorf("a capture with no initiator: %q, want nothing", got)
	}
}

func TestRedirectHop(t *testing.T) {
	tests := []struct {
		k, n int
		want string
	}{
		{1, 3, "Hop 1 of 3 of a redirect chain: the request that began it; #15 is the final request."},
		{2, 3, "Hop 2 of 3 of a redirect chain that began with #13 and ends at #15."},
		{3, 3, "Hop 3 of 3 of a redirect chain that began with #13: the final request, whose answer the browser kept."},
		{0, 0, ""}, // in no chain
		{1, 1, ""}, // a chain of one is none
	}
	for _, tt := range tests {
		if got := explain.RedirectHop(tt.k, tt.n, 13, 15); !strings.HasPrefix(got, tt.want) || (tt.want == "") != (got == "") {
			t.Errorf("hop %d of %d: %q, want it to begin %q", tt.k, tt.n, got, tt.want)
		}
	}
}

func TestBackground(t *testing.T) {
	for typ, want := range map[string]string{
		store.InitBrowser: "The browser's own traffic",
		store.InitClient:  "other programs using the proxy",
		"":                "no sign of a page load",
	} {
		if got := explain.Background(typ); !strings.Contains(got, want) {
			t.Errorf("Background(%q) = %q, want %q in it", typ, got, want)
		}
	}
}

// The story follows a redirect by the initiator that proves it, and puts
// a request in step 8 or 9 by what its initiator says asked for it.
func TestStoryUsesInitiators(t *testing.T) {
	doc := store.Flow{ID: 1, PageID: 1, Kind: store.KindHTTP, Method: "GET", URL: "http://shop.test/", Status: 302,
		RespHeaders: hdrs("Location", "/home"), Start: at(0), End: at(5), Initiator: store.Initiator{Type: store.InitNavigation}}
	// The Location says /home; the server sent the browser on to /home/
	// by way of a second hop glassbox saw: the initiator tells which.
	home := store.Flow{ID: 2, PageID: 1, Kind: store.KindHTTP, Method: "GET", URL: "http://shop.test/home/", Status: 200,
		RespHeaders: hdrs("Content-Type", "text/html"), Start: at(6), End: at(20), ResourceType: "document",
		Initiator: store.Initiator{Type: store.InitRedirect, FlowID: 1}}
	data := store.Flow{ID: 3, PageID: 1, Kind: store.KindHTTP, Method: "GET", URL: "http://shop.test/data.json", Status: 200,
		ResourceType: "fetch", Start: at(30), End: at(40), Initiator: store.Initiator{Type: store.InitParser, FlowID: 2}}
	img := store.Flow{ID: 4, PageID: 1, Kind: store.KindHTTP, Method: "GET", URL: "http://shop.test/x.png", Status: 200,
		ResourceType: "image", Start: at(41), End: at(45), Initiator: store.Initiator{Type: store.InitScript}}
	steps := explain.Story(explain.StoryInput{Page: store.Page{ID: 1, FlowID: 1}, Flows: []store.Flow{doc, home, data, img}})
	var titles []string
	for _, s := range steps {
		titles = append(titles, s.Title)
		switch s.Title {
		case "The browser asks for more":
			if len(s.Flows) != 1 || s.Flows[0] != 3 {
				t.Errorf("step 8 tells flows %v, want the preload the HTML named (3)", s.Flows)
			}
		case "Scripts ask for data":
			if len(s.Flows) != 1 || s.Flows[0] != 4 {
				t.Errorf("step 9 tells flows %v, want the image a script asked for (4)", s.Flows)
			}
		}
	}
	if !strings.Contains(strings.Join(titles, "|"), "Following the redirect to http://shop.test/home/") {
		t.Errorf("the story did not follow the redirect the initiator names: %v", titles)
	}
	fs := explain.FlowStory(&img, nil, nil)
	if text := render(fs); !strings.Contains(text, "Why: A script of the page asked for it") {
		t.Errorf("a flow's story does not say why it was requested:\n%s", text)
	}
}
