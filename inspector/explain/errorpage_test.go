package explain_test

import (
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

func TestErrorPage(t *testing.T) {
	f := &store.Flow{ID: 7, URL: "http://shop.test/?q=<script>",
		Error: &store.FlowError{Phase: store.PhaseConnect, Kind: store.FailRefused, Message: "connect to shop.test:80: connection refused"}}
	for _, tc := range []struct {
		name  string
		html  bool
		ctype string
		want  []string
		never string
	}{
		{"html", true, "text/html; charset=utf-8",
			[]string{"Connection refused", "What you can do", "Flow #7", "status 502", "&lt;script&gt;"}, "<script>"}, // the URL is escaped
		{"text", false, "text/plain; charset=utf-8",
			[]string{"Connection refused", "What to do:", "Flow #7", "connect to shop.test:80: connection refused"}, "<!doctype"}, // no markup
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, ctype := explain.ErrorPage(f, 502, tc.html)
			if ctype != tc.ctype {
				t.Errorf("Content-Type %q, want %q", ctype, tc.ctype)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(body), w) {
					t.Errorf("page lacks %q:\n%s", w, body)
				}
			}
			if strings.Contains(string(body), tc.never) {
				t.Errorf("page holds %q:\n%s", tc.never, body)
			}
		})
	}
}
