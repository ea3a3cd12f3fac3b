package store

import (
	"bytes"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/glassbox-dev/glassbox/store/codec"
)

// What the grouper (grouper.go) reads of pages that is not about their
// references: a document's title, and a midpoint to prune its indexes by.

// midpoint is the moment halfway between the oldest and the newest of ts:
// entries up to it are about the older half when requests come steadily,
// and a prune by it is cheap (it runs only when the index is full).
func midpoint(ts []time.Time) time.Time {
	var min, max time.Time
	for i, t := range ts {
		if i == 0 || t.Before(min) {
			min = t
		}
		if i == 0 || t.After(max) {
			max = t
		}
	}
	return min.Add(max.Sub(min) / 2)
}

// titleScan bounds how much of a document is decoded to find its <title>,
// which belongs in <head>, near the top.
const titleScan = 256 << 10

// htmlTitle reads the <title> of an HTML document from the stored body,
// undoing its content coding (a cut copy decodes as far as it goes).
func htmlTitle(body []byte, encoding string) string {
	if len(body) == 0 {
		return ""
	}
	data, _, err := codec.Decode(body, encoding, titleScan)
	if err != nil && len(data) == 0 {
		return ""
	}
	// Lower case byte by byte, ASCII only: Unicode case mapping (and the
	// replacement of invalid UTF-8) may change a text's length, and the
	// indexes below must hold in data too.
	lower := make([]byte, len(data))
	for i, c := range data {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	start := bytes.Index(lower, []byte("<title"))
	if start < 0 {
		return ""
	}
	gt := bytes.IndexByte(lower[start:], '>')
	if gt < 0 {
		return ""
	}
	start += gt + 1
	end := bytes.Index(lower[start:], []byte("</title"))
	if end < 0 {
		return ""
	}
	t := html.UnescapeString(string(data[start : start+end]))
	t = strings.Join(strings.Fields(t), " ")
	if len(t) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(t[cut]) {
			cut-- // never half a character
		}
		t = t[:cut]
	}
	return t
}
