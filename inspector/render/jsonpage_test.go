package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

const jsonDoc = `{"items":[{"id":1,"name":"a \"quoted\" name, with: punctuation {not a brace}","tags":[],"empty":{}},` +
	`{"id":2,"nested":{"deep":[1,2,[3,4,{"x":null}]]},"escaped\\":"back\\slash"}],"total": 2 , "ok" : true}`

// TestJSONIndenterIsJSONIndent: on a whole document the indenter writes
// what encoding/json's Indent writes.
func TestJSONIndenterIsJSONIndent(t *testing.T) {
	var want bytes.Buffer
	if err := json.Indent(&want, []byte(jsonDoc), "", "  "); err != nil {
		t.Fatal(err)
	}
	var j jsonIndenter
	if got := j.indent([]byte(jsonDoc)); got != want.String() {
		t.Errorf("got\n%s\nwant\n%s", got, want.String())
	}
}

// TestJSONIndenterPages: a page that starts anywhere in the document (in
// a string, after a brace) is indented as the same bytes are in the whole.
func TestJSONIndenterPages(t *testing.T) {
	var whole jsonIndenter
	all := whole.indent([]byte(jsonDoc))
	for cut := 1; cut < len(jsonDoc)-1; cut++ {
		var j jsonIndenter
		j.Write([]byte(jsonDoc[:cut]))
		page := j.indent([]byte(jsonDoc[cut:]))
		_, rest, _ := strings.Cut(page, "\n") // the first line may start inside a token
		if !strings.HasSuffix(all, rest) {
			t.Fatalf("cut at %d (%q): the page's lines after its first are not the whole's:\n%s", cut, jsonDoc[cut:], page)
		}
	}
}
