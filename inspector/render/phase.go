package render

import (
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

// Phases are drawn from store's one table (store.TimingPhases): their
// labels, glyphs and colours; what a phase means comes from explain. The
// render package only gives each a role, so a Theme can style it.

// Dur formats a duration as everywhere in glassbox.
func Dur(d time.Duration) string { return explain.FormatDuration(d) }

// Bytes formats a size as everywhere in glassbox.
func Bytes(n int64) string { return explain.FormatBytes(n) }

// phaseRoles are the roles of store.TimingPhases, entry by entry.
var phaseRoles = [len(store.TimingPhases)]Role{PhaseBlocked, PhaseDNS, PhaseConnect, PhaseSSL, PhaseSend, PhaseWait, PhaseReceive}

// phaseRole is the role of a timing phase, Normal for an unknown name.
func phaseRole(name string) Role {
	for i, p := range store.TimingPhases {
		if p.Name == name {
			return phaseRoles[i]
		}
	}
	return Normal
}

// phaseGlyph is the phase's fill in colour and its glyph without.
func phaseGlyph(th *Theme, role Role) string {
	for i, r := range phaseRoles {
		if r == role {
			if th.Mono {
				return string(rune(store.TimingPhases[i].Glyph))
			}
			return string(store.TimingPhases[i].Fill)
		}
	}
	return " "
}
