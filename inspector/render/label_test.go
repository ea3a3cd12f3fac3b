package render

import "testing"

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
