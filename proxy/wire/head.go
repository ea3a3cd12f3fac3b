package wire

import (
	"bytes"

	"github.com/glassbox-dev/glassbox/store"
)

// ParseHead reads an HTTP/1 head as H1 reports it: its start line, and its
// fields in the order and case they were sent, every one of them (Host,
// Connection, Transfer-Encoding...), with proxy credentials NotRecorded
// (store.Field).
func ParseHead(raw []byte) (start string, fields store.Headers) {
	s := string(raw) // one copy: the line, names and values are parts of it
	line, rest := cutLine(raw)
	return s[:len(line)], fieldsIn(s, rest, cap(raw))
}

// ParseFields reads field lines (a head after its start line, or a
// trailer section) up to the blank line.
func ParseFields(raw []byte) store.Headers {
	if len(raw) == 0 {
		return nil
	}
	return fieldsIn(string(raw), raw, cap(raw))
}

// fieldsIn reads the fields of b, a part of the bytes s was made from,
// whose capacity was whole: a part's offset in them is whole-cap(part).
func fieldsIn(s string, b []byte, whole int) store.Headers {
	out := make(store.Headers, 0, bytes.Count(b, []byte("\n")))
	in := func(p []byte) string {
		if len(p) == 0 {
			return "" // perhaps nil: no offset to take
		}
		at := whole - cap(p)
		return s[at : at+len(p)]
	}
	eachField(b, func(name, value []byte, folded bool) {
		var v string
		if folded {
			v = string(value) // joined, in a slice of its own
		} else {
			v = in(value)
		}
		out = append(out, store.Field(in(name), v))
	})
	return out
}
