package render

// Short names for the inspector/explain texts the views use most. What a
// status, header, phase, failure or step means is always explain's words,
// so the inspector and the reports say the same; render's own words are
// labels and the sentences of the interface.

import (
	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

func statusReason(code int) string { return explain.StatusCode(code).Reason }

// headerPurpose is the one line beside a header.
func headerPurpose(name string) string { return explain.DescribeHeader(name).Purpose }

// headerReading is what this particular value says, part by part.
func headerReading(name, value string, request bool) []string {
	return explain.HeaderValue(name, value, request)
}

// methodDoc says what a request method asks for.
func methodDoc(m string) string { return explain.Method(m) }

// flowNotes are the plain-language notes on one flow.
func flowNotes(d FlowDetail) []string {
	return explain.Notes(explain.NoteInput{Flow: d.Flow, Conn: d.Conn, Lookup: d.Lookup, Prev: d.Prev, Next: d.Next})
}

// pageSteps is the numbered story of a page load.
func pageSteps(d PageDetail) []explain.Step {
	return explain.Story(explain.StoryInput{Page: d.Group.Page, Flows: d.Flows, Conns: d.Conns, Lookups: d.Lookups})
}

// phaseText is what happens during a phase (HAR names).
func phaseText(name string) string {
	title, meaning := explain.PhaseInfo(name)
	if meaning == "" {
		return title
	}
	return title + ": " + meaning
}

// phaseWords are a phase's name and what happens during it.
func phaseWords(name string) (title, meaning string) { return explain.PhaseInfo(name) }

// reuseText explains a new or reused connection.
func reuseText(reused bool) string { return explain.Reuse(reused) }

// noConnReason says why a flow has no connection record.
func noConnReason(f *store.Flow) string {
	if f.Error != nil {
		return "it failed before one was ready (" + explain.Phase(f.Error.Phase) + ")."
	}
	return "none was recorded."
}

// lookupSource says where a lookup's answer came from.
func lookupSource(l *store.Lookup) string { return explain.LookupSource(l) }

// Problem explains a failure.
func problem(e *store.FlowError) explain.Problem { return explain.Error(e) }

// StatusClasses are the five classes with what they mean.
func StatusClasses() []explain.ClassInfo { return explain.Classes() }
