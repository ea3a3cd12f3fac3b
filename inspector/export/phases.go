package export

// The report's phase table: order, character, colour and title of each
// phase of a waterfall bar. Kept as it was, in a file of its own, so it
// can be pointed at the one phase table (one owner per concept,
// DESIGN.md) in one place.

// phaseOrder is the order of the story, and of HAR's timings.
var phaseOrder = []string{"blocked", "dns", "connect", "ssl", "send", "wait", "receive"}

// phaseChar draws each phase in the text waterfall; phaseColor in the SVG.
var (
	phaseChar  = map[string]byte{"blocked": '-', "dns": 'd', "connect": 'c', "ssl": 's', "send": '>', "wait": '.', "receive": '#'}
	phaseColor = map[string]string{"blocked": "#c8c8c8", "dns": "#2a9d8f", "connect": "#e9a23b", "ssl": "#9b5de5",
		"send": "#457b9d", "wait": "#8ecae6", "receive": "#1d3557"}
	phaseTitle = map[string]string{"blocked": "waiting for a connection", "dns": "DNS lookup", "connect": "TCP connect",
		"ssl": "TLS handshake", "send": "sending the request", "wait": "waiting for the server (TTFB)", "receive": "downloading"}
)
