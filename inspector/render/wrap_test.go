package render_test

import (
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/render"
)

// TestWrapLongWordsKeepEveryCharacter: a word longer than many lines (a
// 300 KB URL) is cut into lines of the pane's width, none wider, nothing
// lost, and the cutting reads it once (issue 15).
func TestWrapLongWordsKeepEveryCharacter(t *testing.T) {
	url := "https://api.test/search?q=" + strings.Repeat("é0123456789", 30_000)
	tests := []struct {
		name          string
		w             int
		first, indent string
	}{
		{"no-indent", 80, "", ""},
		{"indented", 80, "  • ", "    "},
		{"first-indent-wider", 40, "a long first indent: ", "  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := render.Wrap("see "+url+" then", tt.w, tt.first, tt.indent, render.Normal)
			var got strings.Builder
			for i, l := range lines {
				s := l.Text()
				if render.Width(s) > tt.w {
					t.Fatalf("line %d is %d cells wide, over %d", i, render.Width(s), tt.w)
				}
				if i == 0 {
					s = strings.TrimPrefix(s, tt.first)
				} else {
					s = strings.TrimPrefix(s, tt.indent)
				}
				got.WriteString(s)
			}
			if want := "see" + url + "then"; strings.ReplaceAll(got.String(), " ", "") != want { // the spaces between words are the lines' own
				t.Errorf("the wrapped text lost or changed characters: %d bytes, want %d", got.Len(), len(want))
			}
		})
	}
	hard := render.HardWrap(url, 80, render.Normal)
	if len(hard) != (render.Width(url)+79)/80 || hard[0].Text()+hard[1].Text() != url[:len(hard[0].Text())+len(hard[1].Text())] {
		t.Errorf("HardWrap made %d lines of a %d-cell path at 80", len(hard), render.Width(url))
	}
}
