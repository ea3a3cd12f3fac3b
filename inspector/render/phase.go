package render

import (
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
)

// Dur formats a duration as everywhere in glassbox.
func Dur(d time.Duration) string { return explain.FormatDuration(d) }

// Bytes formats a size as everywhere in glassbox.
func Bytes(n int64) string { return explain.FormatBytes(n) }

// PhaseDoc describes one phase of a request for bars and legends.
type PhaseDoc struct {
	Name  string // as in HAR: blocked, dns, connect, ssl, send, wait, receive
	Label string // for legends
	Role  Role
	Glyph rune // drawn in bars when the terminal has no colours
	Text  string
}

// Phases are the phases of a request in the order they happen; Text is
// inspector/explain's explanation.
var Phases = []PhaseDoc{
	{"blocked", "blocked", PhaseBlocked, '·', phaseText("blocked")},
	{"dns", "DNS", PhaseDNS, 'd', phaseText("dns")},
	{"connect", "connect", PhaseConnect, 'c', phaseText("connect")},
	{"ssl", "TLS", PhaseSSL, 's', phaseText("ssl")},
	{"send", "send", PhaseSend, '>', phaseText("send")},
	{"wait", "wait", PhaseWait, '=', phaseText("wait")},
	{"receive", "receive", PhaseReceive, '#', phaseText("receive")},
}

// PhaseSpan is one phase of one flow on a time axis.
type PhaseSpan struct {
	Phase int // index into Phases
	Start time.Time
	Dur   time.Duration
}
