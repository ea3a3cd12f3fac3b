package wire

import (
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// EventStream reads a text/event-stream body (server-sent events, HTML
// Living Standard §9.2.6 "Interpreting an event stream") as it crosses:
// lines end in CRLF, LF or CR; "event", "data" and "id" fields build an
// event that a blank line dispatches, when it has data; lines starting
// with a colon are comments. Each event goes to Emit with the first
// store.MaxMessageData bytes of its data and the data's whole size.
type EventStream struct {
	Emit func(store.Message) // required

	started bool // the first byte was seen (a leading BOM is skipped)
	bom     int  // bytes of a UTF-8 BOM matched so far
	cr      bool // the last byte was a CR: an LF right after it ends nothing
	field   []byte
	inValue bool // past the field name's colon
	skip1   bool // the value's first byte is still to come (a space there is dropped)
	value   []byte
	valueN  int64 // the current value's size
	ev      event
}

// event is the event being built.
type event struct {
	name, id string
	data     []byte
	size     int64
	hasData  bool
}

// Bounds on what one line keeps: a field name longer than any the format
// defines is no field; an event type or id past maxEventName bytes is cut.
const (
	maxFieldName = 8
	maxEventName = 256
)

var bom = []byte{0xef, 0xbb, 0xbf}

// Feed reads p, which crossed at at.
func (s *EventStream) Feed(p []byte, at time.Time) {
	for _, c := range p {
		if !s.started {
			if s.bom < len(bom) && c == bom[s.bom] {
				s.bom++
				if s.bom == len(bom) {
					s.started = true
				}
				continue
			}
			s.started = true
		}
		switch {
		case c == '\n' && s.cr:
			s.cr = false
		case c == '\n' || c == '\r':
			s.cr = c == '\r'
			s.endLine(at)
		default:
			s.cr = false
			s.add(c)
		}
	}
}

func (s *EventStream) add(c byte) {
	switch {
	case !s.inValue && c == ':':
		s.inValue, s.skip1 = true, true
	case !s.inValue:
		if len(s.field) <= maxFieldName {
			s.field = append(s.field, c)
		}
	case s.skip1 && c == ' ':
		s.skip1 = false
	default:
		s.skip1 = false
		s.valueN++
		limit := maxEventName
		if string(s.field) == "data" {
			limit = store.MaxMessageData - len(s.ev.data)
		}
		if len(s.value) < limit {
			s.value = append(s.value, c)
		}
	}
}

// endLine processes a line (§9.2.6): a blank one dispatches the event.
func (s *EventStream) endLine(at time.Time) {
	if len(s.field) == 0 && !s.inValue {
		s.dispatch(at)
		return
	}
	if len(s.field) > 0 { // a line starting with ':' is a comment
		s.process()
	}
	s.field, s.value, s.valueN, s.inValue, s.skip1 = s.field[:0], s.value[:0], 0, false, false
}

func (s *EventStream) process() {
	switch string(s.field) {
	case "event":
		s.ev.name = string(s.value)
	case "data":
		if s.ev.hasData { // lines of data are joined with LF
			s.ev.size++
			if len(s.ev.data) < store.MaxMessageData {
				s.ev.data = append(s.ev.data, '\n')
			}
		}
		s.ev.hasData = true
		s.ev.size += s.valueN
		s.ev.data = append(s.ev.data, s.value[:min(len(s.value), store.MaxMessageData-len(s.ev.data))]...)
	case "id":
		if !containsNUL(s.value) { // §9.2.6: an id with NUL is ignored
			s.ev.id = string(s.value)
		}
	}
}

func containsNUL(b []byte) bool {
	for _, c := range b {
		if c == 0 {
			return true
		}
	}
	return false
}

// dispatch emits the event built so far, when it has data, and starts the
// next (§9.2.6: an event with an empty data buffer is not dispatched; the
// event type is reset either way).
func (s *EventStream) dispatch(at time.Time) {
	if s.ev.hasData {
		s.Emit(store.Message{At: at, Dir: store.MessageReceive, Size: s.ev.size, WireSize: s.ev.size,
			Data: s.ev.data, Event: s.ev.name, EventID: s.ev.id})
	}
	s.ev = event{id: s.ev.id} // the last event ID persists (§9.2.6)
}
