package model_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
)

// filterFlows are the flows every filter row is tried against.
func filterFlows() []store.Flow {
	doc := flow(1, 1, "https://shop.test/", 200, 0, 50, 5000)
	doc.Initiator = store.Initiator{Type: store.InitNavigation}
	css := flow(2, 1, "https://cdn.shop.test/app.css", 200, 10, 20, 2048)
	css.ResourceType, css.Initiator = store.TypeStylesheet, store.Initiator{Type: store.InitParser, FlowID: 1}
	js := flow(3, 1, "https://cdn.shop.test/app.js?v=2", 304, 20, 250, 0)
	js.ResourceType, js.Initiator = store.TypeScript, store.Initiator{Type: store.InitParser, FlowID: 1, Heuristic: true}
	post := flow(4, 2, "https://api.shop.test/cart", 201, 30, 120, 3<<20)
	post.Method, post.ResourceType, post.Initiator = "POST", store.TypeFetch, store.Initiator{Type: store.InitScript}
	gone := flow(5, 2, "https://shop.test:8443/old", 404, 40, 5, 512) // from before initiators: none
	dns := failed(flow(6, 0, "https://nope.test/", 0, 50, 1, 0))
	dns.Initiator = store.Initiator{Type: store.InitBrowser}
	boom := flow(7, 2, "https://api.shop.test/boom?q=shoes", 503, 60, 1500, 100)
	boom.Initiator = store.Initiator{Type: store.InitRedirect, FlowID: 4}
	return []store.Flow{doc, css, js, post, gone, dns, boom}
}

func TestParseFilter(t *testing.T) {
	tests := []struct {
		expr string
		want string // IDs of the matching flows
	}{
		{"", "1 2 3 4 5 6 7"},               // empty: everything
		{"cart", "4"},                       // free text on the URL
		{"//SHOP.test", "1 5"},              // any case; the port is part of the URL
		{`"app.js?v=2"`, "3"},               // quoted text is always free text
		{"q=shoes", "7"},                    // a query parameter is text, not a key
		{"status:4xx", "5"},                 // a class
		{"status:304", "3"},                 // one code
		{"status:4xx,5xx", "5 7"},           // alternatives
		{"status>=400", "5 7"},              // a comparison
		{"status<200", "6"},                 // no response counts as 0
		{"type:script", "3"},                // resource type
		{"type:css,js", "2 3"},              // aliases and alternatives
		{"host:cdn.*", "2 3"},               // a glob across dots
		{"host:shop.test", "1 5"},           // exact host name, port ignored
		{"host:shop.test:8443", "5"},        // a pattern with a port checks the port
		{"host:*.shop.test", "2 3 4 7"},     // subdomains only
		{"method:post", "4"},                // methods ignore case
		{"dur>200ms", "3 7"},                // duration
		{"dur<=5", "5 6"},                   // a bare number is milliseconds
		{"dur>1s", "7"},                     // seconds
		{"size>1mb", "4"},                   // sizes are powers of 1024
		{"size<1kb", "3 5 6 7"},             // below a kilobyte
		{"page:2", "4 5 7"},                 // one page load
		{"page:0", "6"},                     // no page load made it
		{"init:parser", "2 3"},              // referenced by HTML
		{"init:nav,js", "1 4"},              // aliases and alternatives
		{"init:1", "2 3"},                   // what flow 1 caused
		{"init:#4", "7"},                    // the same, written as the list shows it
		{"init:guess", "3"},                 // decided by time or origin alone
		{"-init:guess init:html", "2"},      // a reference glassbox saw
		{"init:unknown", "5"},               // none recorded counts as unknown
		{"init:browser", "6"},               // the browser's own traffic
		{"init:redirect", "7"},              // followed a redirect
		{"error", "6"},                      // failures only
		{"-error", "1 2 3 4 5 7"},           // negation with -
		{"!type:fetch host:api.*", "7"},     // negation with ! and AND
		{"shop -cdn status:2xx", "1 4"},     // free text, negation, status
		{"api dur>100ms -status:5xx", "4"},  // three terms together
		{"https://api.shop.test/cart", "4"}, // a URL is free text, not a key
	}
	flows := filterFlows()
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.expr, " ", "_"), func(t *testing.T) {
			if _, got := matching(t, tt.expr, flows); got != tt.want {
				t.Errorf("%q matched %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

// matching parses expr and returns the filter with the IDs of the flows it
// matches, space separated.
func matching(t *testing.T, expr string, flows []store.Flow) (model.Filter, string) {
	t.Helper()
	f, err := model.ParseFilter(expr)
	if err != nil {
		t.Fatalf("parse %q: %v", expr, err)
	}
	var ids []string
	for i := range flows {
		if f.Match(&flows[i]) {
			ids = append(ids, itoa(flows[i].ID))
		}
	}
	return f, strings.Join(ids, " ")
}

func TestParseFilterErrors(t *testing.T) {
	tests := []struct {
		expr string
		want string // part of the error a person reads
	}{
		{"stauts:404", `unknown key "stauts"`},      // a typo in a key
		{"status:4x", "want a code (404), a class"}, // half a class
		{"status:", "what value?"},                  // no value
		{"type:scrpt", "use document, stylesheet"},  // a typo in a type lists the types
		{"dur>fast", "not a duration"},              // not a number
		{"dur:200ms", "compare a duration"},         // dur needs a comparison
		{"size>lots", "not a size"},                 // not a size
		{"page:x", "not a page number"},             // page wants a number
		{"init:magic", "use navigation, redirect"},  // a typo in an initiator lists them
		{"init>1", "init takes init:value"},         // no comparisons on initiators
		{"method>GET", "method takes method:value"}, // no comparisons on methods
		{`"open quote`, "quote is not closed"},      // a quote left open
		{"- status:404", "negate what?"},            // a lone minus
		{"error:dns", "error takes no value"},       // error is a bare word
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.expr, " ", "_"), func(t *testing.T) {
			_, err := model.ParseFilter(tt.expr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%q: error %v, want one saying %q", tt.expr, err, tt.want)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"cdn.*", "cdn.shop.test", true},      // * crosses dots
		{"*.test", "a.b.test", true},          // leading star
		{"a?c", "abc", true},                  // ? is one character
		{"a?c", "ac", false},                  // ...exactly one
		{"shop.test", "shop.test", true},      // no wildcard: equality
		{"shop.test", "www.shop.test", false}, // ...not a suffix match
		{"*", "", true},                       // star matches nothing too
	}
	for _, tt := range tests {
		if got := model.Glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// FuzzParseFilter: any text typed into the filter line parses or gives an
// error; a parsed filter never panics on a flow, and parsing is stable
// (the same text gives a filter that decides the same way).
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"status:4xx", "status:304", "type:script", "host:cdn.*", "method:POST", "dur>200ms",
		"size>1mb", "page:3", "error", "-status:2xx shop", "!type:image", `"a b"`, "status:4xx,5xx", "status>=400",
		"dur<", "size>abc", "host:[", "::::", "", "body:stock", `body~a.+b`, `body:"two words"`, "body~(", "marked -commented comment:why"} {
		f.Add(s)
	}
	flow := &store.Flow{ID: 1, PageID: 3, Method: "POST", URL: "https://cdn.shop.test/a.js?x=1", Status: 404,
		ResourceType: "script", Start: time.Unix(0, 0), End: time.Unix(0, int64(250*time.Millisecond)),
		RespBody: store.Body{Size: 2 << 20}, Error: &store.FlowError{Phase: "receive", Kind: "truncated"}}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := model.ParseFilter(s)
		if err != nil {
			return
		}
		b, _ := model.ParseFilter(s)
		if a.Match(flow) != b.Match(flow) {
			t.Fatalf("%q decides differently on a second parse", s)
		}
		a.Match(&store.Flow{})
	})
}
