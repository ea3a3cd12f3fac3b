package store

// PhaseBlocked is the timing phase before a connection is ready that is not
// spent dialing: the request is queued. The other timing phases share
// their names with the failure phases (failure.go).
const PhaseBlocked = "blocked"

// PhaseInfo is how every view shows one timing phase: the terminal's list
// bars, Timing tab and waterfall, the Markdown and HTML reports, and HAR.
// What a phase means, for a learner, is inspector/explain's PhaseInfo.
type PhaseInfo struct {
	Name  string // the phase constant: blocked, dns, connect, tls, send, wait, receive
	HAR   string // its name among HAR 1.2's timings (TLS is "ssl")
	Label string // a word for legends and tables: "DNS", "TLS", "wait"
	Title string // a phrase for tooltips and reports: "waiting for the server (time to first byte)"
	// Glyph draws the phase where colour is not shown: a terminal without
	// colours (NO_COLOR) and the text waterfall of the Markdown report.
	// ASCII, so every font and pipe shows it.
	Glyph byte
	// Fill draws the phase in colour in the terminal: a full block, a
	// light shade for time spent queued.
	Fill rune
	// Color is the phase's colour as #rrggbb, the same in the terminal
	// (true colour, or the nearest of its palette) and the HTML report.
	// Close to the browsers' developer tools, so people recognise them.
	Color string
}

// TimingPhases are the phases of a request in the order they happen.
var TimingPhases = [...]PhaseInfo{
	{Name: PhaseBlocked, HAR: "blocked", Label: "queued", Title: "waiting for a connection (queued)", Glyph: '-', Fill: '░', Color: "#9e9e9e"},
	{Name: PhaseDNS, HAR: "dns", Label: "DNS", Title: "finding the IP address (DNS lookup)", Glyph: 'd', Fill: '█', Color: "#009688"},
	{Name: PhaseConnect, HAR: "connect", Label: "connect", Title: "opening the TCP connection", Glyph: 'c', Fill: '█', Color: "#f0932b"},
	{Name: PhaseTLS, HAR: "ssl", Label: "TLS", Title: "the TLS handshake", Glyph: 't', Fill: '█', Color: "#9b59b6"},
	{Name: PhaseSend, HAR: "send", Label: "send", Title: "sending the request", Glyph: '>', Fill: '█', Color: "#e1b12c"},
	{Name: PhaseWait, HAR: "wait", Label: "wait", Title: "waiting for the server (time to first byte)", Glyph: '=', Fill: '█', Color: "#27ae60"},
	{Name: PhaseReceive, HAR: "receive", Label: "receive", Title: "downloading the response", Glyph: '#', Fill: '█', Color: "#2f80ed"},
}

// Phase returns the table entry of a timing phase by its name or its HAR
// name ("ssl" is TLS), and false for anything else.
func Phase(name string) (PhaseInfo, bool) {
	for _, p := range TimingPhases {
		if p.Name == name || p.HAR == name {
			return p, true
		}
	}
	return PhaseInfo{}, false
}
