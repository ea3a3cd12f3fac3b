package render

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// FlowTabs are the detail tabs of a flow, in order.
var FlowTabs = []string{"Story", "Timing", "Request", "Response", "Body", "Connection", "Messages"}

// PageTabs are the detail tabs of a page load, in order.
var PageTabs = []string{"Story", "Waterfall"}

// FlowDetail is everything the detail tabs show about one flow: the full
// flow (headers and bodies) and the records of its connection and lookup.
// Conn and Lookup are nil when there are none or they are not read yet.
type FlowDetail struct {
	Flow   *store.Flow
	Conn   *store.Conn
	Lookup *store.Lookup
	// Prev and Next are the flow's neighbours in its page, by start time
	// (headers, no bodies), for notes like "CORS preflight for the next
	// request"; either may be nil.
	Prev, Next *store.Flow
	// Page is the story of the flow's page load, when it is read: the
	// Story tab shows the steps this flow takes part in.
	Page *PageDetail
	// Chain is the redirect chain the flow is part of, first request to
	// final (model.Chain); nil when it is in none.
	Chain []int64
	// JumpKey is the key that goes to the flow's initiator, for the
	// Request tab to name; "" hides the hint.
	JumpKey string
	// Network is the session's shaping (store.Session.Network), "" for none.
	Network string
	// Messages are the flow's WebSocket messages or events, as kept
	// (store.Messages); nil when it carried none.
	Messages []store.Message
	// BodyPage is the page of the bodies the Body tab shows, from 0 (see
	// BodyPage, the constant).
	BodyPage int
}

// FlowTab returns the lines of one tab of a flow, for a pane w cells wide.
func FlowTab(th *Theme, tab int, d FlowDetail, w int) []Line {
	if d.Flow == nil {
		return []Line{L(S(Dim, "loading…"))}
	}
	switch FlowTabs[tab%len(FlowTabs)] {
	case "Timing":
		return timingTab(th, d, w)
	case "Request":
		return requestTab(d, w)
	case "Response":
		return responseTab(d, w)
	case "Body":
		return bodyTab(d, w)
	case "Connection":
		return connTab(d, w)
	case "Messages":
		return messagesTab(d, w)
	}
	return storyTab(d, w)
}

// LayingOut is what a flow's tab shows while it is laid out off the UI
// goroutine: the title, and what is being laid out.
func LayingOut(f *store.Flow, w int, what string) []Line {
	return append(flowTitle(f, w), L(S(Dim, "  laying out "+what+"…")))
}

// flowTitle is the first line of every flow tab.
func flowTitle(f *store.Flow, w int) []Line {
	head := L(S(Bold, fmt.Sprintf("#%d ", f.ID)), S(Bold, f.Method+" "), S(Normal, FitMiddle(f.URL, w-len(f.Method)-8))) // the URL's end tells flows apart
	var parts []Span
	if f.Status > 0 {
		parts = append(parts, S(StatusRole(f.Status, false), fmt.Sprintf("%d %s", f.Status, reason(f))))
	}
	if f.Error != nil {
		parts = append(parts, S(StatusFailed, "failed: "+f.Error.Phase))
	}
	sub := L(parts...)
	var meta []string
	if f.ResourceType != "" {
		meta = append(meta, f.ResourceType)
	}
	if f.RespBody.Size > 0 {
		meta = append(meta, Bytes(f.RespBody.Size))
	}
	if !f.End.IsZero() {
		meta = append(meta, Dur(f.Duration()))
	}
	if !f.Start.IsZero() {
		meta = append(meta, "at "+f.Start.Local().Format("15:04:05.000"))
	}
	sub = append(sub, S(Dim, "  "+strings.Join(meta, " · ")))
	return []Line{head, sub, Blank}
}

// reason is the reason phrase as sent, or the registered one (HTTP/2
// sends none).
func reason(f *store.Flow) string {
	if f.StatusText != "" {
		return f.StatusText
	}
	return statusReason(f.Status)
}

// section is a titled block.
func section(title string) []Line { return []Line{Blank, L(S(Title, title))} }

// kv is "  label  value" with the label padded.
func kv(label string, lw int, value ...Span) Line {
	return append(L(S(Dim, "  "+PadRight(label, lw)+" ")), value...)
}

// ms formats an offset from a start time, "+12.3 ms".
func offset(t, start time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return "+" + Dur(t.Sub(start))
}

// isIP reports whether a URL's host is an address, which needs no lookup.
func isIP(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	return net.ParseIP(strings.Trim(h, "[]")) != nil
}
