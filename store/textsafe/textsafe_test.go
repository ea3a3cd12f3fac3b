package textsafe_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/glassbox-dev/glassbox/store/textsafe"
)

func TestLineAndText(t *testing.T) {
	tests := []struct {
		name, in, line, text string
	}{
		{"clean-unchanged", "Café — ok", "Café — ok", "Café — ok"},
		{"escape-clears-screen", "a\x1b[2Jb", "a␛[2Jb", "a␛[2Jb"},
		{"osc52-clipboard", "\x1b]52;c;aGk=\x07", "␛]52;c;aGk=␇", "␛]52;c;aGk=␇"},
		{"newline-and-tab", "a\nb\tc", "a␊b␉c", "a\nb\tc"},
		{"carriage-return-hides-text", "safe\rEVIL", "safe␍EVIL", "safe␍EVIL"},
		{"nul-and-del", "\x00\x7f", "␀␡", "␀␡"},
		{"c1-as-utf8", "x\u009b2Jy\u0085", "x\uFFFD2Jy\uFFFD", "x\uFFFD2Jy\uFFFD"},   // CSI and NEL
		{"c1-as-raw-byte", "x\x9b2J\x9dy", "x\uFFFD2J\uFFFDy", "x\uFFFD2J\uFFFDy"},   // not UTF-8
		{"latin1-byte", "caf\xe9", "caf\uFFFD", "caf\uFFFD"},                         // not UTF-8 either
		{"first-printable-after-c1", "\u00a0\u00ff", "\u00a0\u00ff", "\u00a0\u00ff"}, // NBSP and ÿ are text
		{"cut-character", "ab\xe2\x82", "ab\uFFFD\uFFFD", "ab\uFFFD\uFFFD"},          // half a €
		{"emoji", "\U0001F600", "\U0001F600", "\U0001F600"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := textsafe.Line(tt.in); got != tt.line {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.line)
			}
			if got := textsafe.Text(tt.in); got != tt.text {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.text)
			}
			if got := string(textsafe.AppendLine([]byte("> "), []byte(tt.in))); got != "> "+tt.line {
				t.Errorf("AppendLine(%q) = %q", tt.in, got)
			}
		})
	}
}

// The Writer shows what Text shows, however the stream is cut.
func TestWriterAcrossWrites(t *testing.T) {
	in := "report: é\x1b[2J€\u009b\nend\xe2\x82"
	want := textsafe.Text(in)
	for step := 1; step <= len(in); step++ {
		var out bytes.Buffer
		w := textsafe.NewWriter(&out)
		for i := 0; i < len(in); i += step {
			n, err := w.Write([]byte(in[i:min(i+step, len(in))]))
			if err != nil || n != min(step, len(in)-i) {
				t.Fatalf("Write: %d, %v", n, err)
			}
		}
		w.Close()
		if out.String() != want {
			t.Errorf("writes of %d bytes: %q, want %q", step, out.String(), want)
		}
	}
}

func TestJSONLossless(t *testing.T) {
	v := map[string]string{"title": "a\u007fb\u009bc\u0085d\x1be", "plain": "Café"}
	raw, _ := json.Marshal(v)
	got := textsafe.JSON(raw)
	if bytes.ContainsAny(got, "\x7f") || bytes.Contains(got, []byte("\xc2\x9b")) {
		t.Fatalf("DEL or C1 left in %q", got)
	}
	var back map[string]string
	if err := json.Unmarshal(got, &back); err != nil || back["title"] != v["title"] || back["plain"] != v["plain"] {
		t.Fatalf("read back %q (%v), want %q", back, err, v)
	}
	clean := []byte(`{"a":"Café"}`)
	if out := textsafe.JSON(clean); &out[0] != &clean[0] {
		t.Error("clean JSON was copied")
	}
}

// FuzzSanitize: whatever the input, Line's output holds no control byte,
// no C1 and no invalid UTF-8; Text's holds none but tab and newline; the
// lines of the input are the lines of Text's output; text that needs no
// change is returned as it is; JSON stays valid and reads back the same.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"plain", "a\x1b[2Jb", "\x1b]52;c;aGk=\x07", "\u009b\x9b\x85", "a\nb\tc\r", "\xff\xfe", "é€😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, text := textsafe.Line(s), textsafe.Text(s)
		check := func(name, out string, allowed string) {
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q: not UTF-8", name, s, out)
			}
			for _, r := range out {
				if textsafe.Control(r) && !strings.ContainsRune(allowed, r) {
					t.Fatalf("%s(%q) = %q: holds %U", name, s, out, r)
				}
			}
		}
		check("Line", line, "")
		check("Text", text, "\t\n")
		if strings.Count(text, "\n") != strings.Count(s, "\n") {
			t.Fatalf("Text(%q) = %q: lines changed", s, text)
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, textsafe.Control) && line != s {
			t.Fatalf("Line changed clean text %q to %q", s, line)
		}
		raw, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back string
		if err := json.Unmarshal(textsafe.JSON(raw), &back); err != nil || back != strings.ToValidUTF8(back, "\uFFFD") {
			t.Fatalf("JSON(%q): %v", raw, err)
		}
		var direct string
		json.Unmarshal(raw, &direct)
		if back != direct {
			t.Fatalf("JSON changed %q to %q", direct, back)
		}
	})
}
