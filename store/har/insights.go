package har

import (
	"context"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/diagnose"
)

// Insights is a page's _insights: store/diagnose's Diagnosis in HAR's
// units (milliseconds; flows named by the id in their entry's
// _glassbox.flow, as _initiatorFlow names them). glassbox's import
// does not read it back: it is derived from the entries, and diagnosed
// again from them.
type Insights struct {
	Span         float64          `json:"span"`
	CriticalPath []InsightStep    `json:"criticalPath"`
	ByPhase      []InsightPhase   `json:"byPhase"`
	RoundTrips   InsightTrips     `json:"roundTrips"`
	Findings     []InsightFinding `json:"findings"`
}

// InsightStep is one request of the critical path.
type InsightStep struct {
	Flow     int64   `json:"flow"`
	URL      string  `json:"url"`
	Via      string  `json:"via"`
	Inferred bool    `json:"inferred,omitempty"`
	Start    float64 `json:"start"`
	Gap      float64 `json:"gap"`
	Time     float64 `json:"time"`
	Share    float64 `json:"share"`
	Phase    string  `json:"phase,omitempty"`
}

// InsightPhase is one phase summed over the page (HAR's phase names).
type InsightPhase struct {
	Phase    string  `json:"phase"`
	Time     float64 `json:"time"`
	Requests int     `json:"requests"`
}

// InsightTrips counts the page's network round trips.
type InsightTrips struct {
	Total    int `json:"total"`
	DNS      int `json:"dns"`
	TCP      int `json:"tcp"`
	TLS      int `json:"tls"`
	Requests int `json:"requests"`
}

// InsightFinding is one named finding.
type InsightFinding struct {
	Kind     string            `json:"kind"`
	Title    string            `json:"title"`
	Numbers  map[string]string `json:"numbers"`
	Flows    []int64           `json:"flows"`
	Evidence string            `json:"evidence"`
	Fix      string            `json:"fix"`
}

// insights diagnoses page p of s.
func (s *session) insights(ctx context.Context, r store.Reader, p store.Page) (*Insights, error) {
	in, err := diagnose.Load(ctx, r, s.sess.ID, s.pages, p.ID, s.conns, s.lookups)
	if err != nil {
		return nil, err
	}
	return InsightsOf(diagnose.Diagnose(in)), nil
}

// InsightsOf is a Diagnosis in HAR's shape.
func InsightsOf(d diagnose.Diagnosis) *Insights {
	out := &Insights{Span: ms(d.Span), CriticalPath: []InsightStep{}, ByPhase: []InsightPhase{}, Findings: []InsightFinding{},
		RoundTrips: InsightTrips(d.RoundTrips)}
	for _, st := range d.CriticalPath {
		out.CriticalPath = append(out.CriticalPath, InsightStep{Flow: st.FlowID, URL: st.URL, Via: st.Via, Inferred: st.Inferred,
			Start: ms(st.Start), Gap: ms(st.Gap), Time: ms(st.Dur), Share: round3(st.Share), Phase: harPhase(st.Phase)})
	}
	for _, p := range d.ByPhase {
		out.ByPhase = append(out.ByPhase, InsightPhase{Phase: harPhase(p.Phase), Time: ms(p.Total), Requests: p.Flows})
	}
	for _, f := range d.Findings {
		nums := map[string]string{}
		for _, n := range f.Numbers {
			nums[n.Name] = n.Value
		}
		out.Findings = append(out.Findings, InsightFinding{Kind: f.Kind, Title: f.Title, Numbers: nums, Flows: f.FlowIDs,
			Evidence: f.Evidence, Fix: f.Fix})
	}
	return out
}

func harPhase(name string) string {
	if p, ok := store.Phase(name); ok {
		return p.HAR
	}
	return name
}

func round3(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }
