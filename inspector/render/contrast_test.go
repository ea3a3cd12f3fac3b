package render

import "testing"

// TestSelectionReadable: every role's text, selected, in the focused and
// the unfocused pane, keeps at least 3:1 against its background (issue
// 19: grey on grey in the unfocused pane).
func TestSelectionReadable(t *testing.T) {
	th := NewTheme(256, false)
	for _, focused := range []bool{true, false} {
		for r := range th.styles {
			st := th.selectStyle(th.Style(Role(r)), focused)
			fg, bg, _ := st.Decompose()
			if c := Contrast(fg, bg); c < minContrast {
				t.Errorf("role %d selected (focused %v): contrast %.1f:1 between %v and %v", r, focused, c, fg, bg)
			}
		}
	}
}
