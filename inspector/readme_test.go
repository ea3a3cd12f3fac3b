package inspector

import (
	"os"
	"strings"
	"testing"
)

// README.md's key table is generated from the keymap, so the documentation
// cannot drift from the keys. -update rewrites it.
func TestReadmeKeys(t *testing.T) {
	const path = "../README.md"
	const begin, end = "<!-- keys:begin", "<!-- keys:end -->"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %s ... %s block for the key table", path, begin, end)
	}
	i += strings.Index(text[i:], "\n") + 1
	want := KeyTable()
	if text[i:j] == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(text[:i]+want+text[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's key table differs from the keymap; run go test ./inspector -run TestReadmeKeys -update\n--- README\n%s--- keymap\n%s", text[i:j], want)
}

// The help screen and the footer come from the same table: every binding
// with a footer entry shows in the help screen, with its keys.
func TestKeymapDrivesHelpAndFooter(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range helpEntries(keymap()) {
		seen[e.Help] = true
		if e.Keys == "" || e.Help == "" {
			t.Errorf("help entry without keys or text: %+v", e)
		}
	}
	for _, b := range keymap() {
		if !seen[b.Help] {
			t.Errorf("binding %q is missing from the help screen", b.Name)
		}
		if len(b.Contexts) == 0 || b.Handler == nil {
			t.Errorf("binding %q has no context or no handler", b.Name)
		}
	}
}
