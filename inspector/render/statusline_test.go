package render_test

import (
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/render"
	"github.com/glassbox-dev/glassbox/store"
)

// The Response tab's status line takes the form of the version the origin
// answered in, whatever the browser spoke to glassbox: HTTP/2 has no
// status line, only :status.
func TestStatusLineInTheOriginsVersion(t *testing.T) {
	th := render.NewTheme(256, false)
	for _, tt := range []struct {
		name, proto, resp, text, want string
	}{
		{"http2-browser-http1-origin", "HTTP/2.0", "HTTP/1.1", "OK", "  HTTP/1.1 200 OK"},
		{"http1-browser-http2-origin", "HTTP/1.1", "HTTP/2.0", "", "  :status 200"},
		{"old-origin", "HTTP/2.0", "HTTP/1.0", "Okay", "  HTTP/1.0 200 Okay"},
		{"import-without-version", "", "", "", "  200 OK"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &store.Flow{Method: "GET", URL: "https://shop.test/", Proto: tt.proto, OriginProto: tt.resp,
				RespProto: tt.resp, Status: 200, StatusText: tt.text}
			lines := strings.Split(text(render.FlowTab(th, 3, render.FlowDetail{Flow: f}, 100)), "\n")
			found := false
			for i, l := range lines {
				if strings.HasPrefix(l, "Status line") && i+1 < len(lines) {
					found = lines[i+1] == tt.want
					if !found {
						t.Errorf("status line %q, want %q", lines[i+1], tt.want)
					}
				}
			}
			if !found && !t.Failed() {
				t.Errorf("no status line in:\n%s", strings.Join(lines, "\n"))
			}
		})
	}
}
