package render

import (
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/store"
)

// The first line of a flow's tabs and the Request tab's request line keep
// the method and the URL's end at 80 columns (issue 19, item 6).
func TestFlowLinesAt80Columns(t *testing.T) {
	for _, proto := range []string{"HTTP/2.0", "HTTP/1.1"} {
		f := &store.Flow{ID: 7, Method: "OPTIONS", URL: "https://api2.example:3855/v1/organisations/1234567890/projects/0987654321/deployments/42", Proto: proto}
		title := lineText(flowTitle(f, 80)[0])
		var request string
		for _, l := range requestTab(FlowDetail{Flow: f}, 80) {
			// HTTP/1.1's request line, or HTTP/2's pseudo-header fields.
			if t := lineText(l); strings.HasSuffix(t, " HTTP/1.1") || strings.Contains(t, ":path ") {
				request = t
			}
		}
		for _, l := range []string{title, request} {
			if Width(l) > 80 || !strings.Contains(l, "OPTIONS") || !strings.Contains(l, "deployments/42") {
				t.Errorf("%s: %q: over 80 cells, or without the method or the path's end", proto, l)
			}
		}
	}
}

// A flow's label keeps its method; the host gives way before the path,
// and the path loses its middle, never its end.
func TestFlowLabels(t *testing.T) {
	tests := []struct {
		method, host, path, page string
		w                        int
		want                     string
	}{
		{"GET", "shop.test", "/app.css", "shop.test", 20, "GET /app.css"},                              // fits
		{"OPTIONS", "api2.example:3855", "/v1/cart", "shop.test", 30, "OPT api2.example:3855/v1/cart"}, // fits with the host
		{"PUT", "api2.example:3855", "/v1/cart", "shop.test", 18, "PUT api2.…/v1/cart"},                // the host gives way
		{"OPTIONS", "api2.example:3855", "/v1/cart/items/42", "shop.test", 16, "OPT /v1…items/42"},     // then the path's middle
		{"DELETE", "shop.test", "/img/missing.png", "shop.test", 14, "DEL /im…ng.png"},                 // the end stays
	}
	for _, tt := range tests {
		got := FlowLabel(tt.method, tt.host, tt.path, tt.page, tt.w)
		if got != tt.want || Width(got) > tt.w {
			t.Errorf("FlowLabel(%s %s%s, %d) = %q, want %q", tt.method, tt.host, tt.path, tt.w, got, tt.want)
		}
	}
}

func lineText(l Line) string {
	var b strings.Builder
	for _, s := range l {
		b.WriteString(s.Text)
	}
	return b.String()
}
