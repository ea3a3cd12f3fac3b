package export

// The report: a session as a document people read, each page load told as
// the numbered story of inspector/explain, with its waterfall. Markdown for
// notes and issue trackers; HTML as one self-contained file (inline CSS and
// SVG, no scripts, nothing fetched) that a teacher can hand out.

import (
	"context"
	"sort"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/diagnose"
)

// Bounds of a report: it is for reading, the HAR export is for everything.
const (
	reportMaxPages        = 200 // page loads told; the rest are counted
	reportMaxUnattributed = 500 // requests no page load claimed, listed
)

// pageReport is one page load, ready to render.
type pageReport struct {
	Page     store.Page
	Frames   []store.Page
	Flows    []store.Flow // the page's and its frames' flows, by start
	Steps    []explain.Step
	Start    time.Time
	Settled  time.Time
	Bytes    int64
	Worst    int
	Failures int
	Conns    map[int64]*store.Conn
	// Diagnosis is why the page load took its time; nil when no request
	// of it ended.
	Diagnosis *diagnosisView
}

// report is everything a report needs, loaded page by page.
type report struct {
	Session      store.Session
	Pages        []pageReport
	Skipped      int // pages beyond reportMaxPages
	Unattributed []store.Flow
	Conns        map[int64]*store.Conn
}

// loadReport reads what a report of j's scope tells.
func loadReport(ctx context.Context, r store.Reader, j *job) (*report, error) {
	pages, err := r.Pages(ctx, j.sess.ID)
	if err != nil {
		return nil, err
	}
	conns, lookups, err := store.ConnsAndLookups(ctx, r, j.sess.ID)
	if err != nil {
		return nil, err
	}
	s := &report{Session: j.sess, Conns: conns}
	frames := map[int64][]store.Page{}
	for _, p := range pages {
		if p.ParentID != 0 {
			frames[p.ParentID] = append(frames[p.ParentID], p)
		}
	}
	for _, p := range pages {
		if p.ParentID != 0 || (j.PageID > 0 && p.ID != j.PageID) {
			continue
		}
		if len(s.Pages) >= reportMaxPages {
			s.Skipped++
			continue
		}
		pr := pageReport{Page: p, Frames: frames[p.ID], Conns: s.Conns}
		if err := pr.read(ctx, r, j, lookups); err != nil {
			return nil, err
		}
		in, err := diagnose.Load(ctx, r, j.sess.ID, pages, p.ID, conns, lookups)
		if err != nil {
			return nil, err
		}
		pr.Diagnosis = viewDiagnosis(diagnose.Diagnose(in))
		s.Pages = append(s.Pages, pr)
	}
	if j.PageID == 0 {
		err = store.EachFlow(ctx, r, store.FlowQuery{SessionID: j.sess.ID, Summary: true}, 1000, func(f *store.Flow) error {
			// Past the bound a flow is not listed, so not counted (keep).
			if f.PageID == 0 && len(s.Unattributed) < reportMaxUnattributed && j.keep(f) {
				s.Unattributed = append(s.Unattributed, *f)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// read reads the flows of a page load and of its frames that j keeps, by
// start, and tells the page's story from its own.
func (pr *pageReport) read(ctx context.Context, r store.Reader, j *job, lookups map[int64]*store.Lookup) error {
	ids := []int64{pr.Page.ID}
	for _, f := range pr.Frames {
		ids = append(ids, f.ID)
	}
	for _, id := range ids {
		flows, err := r.Flows(ctx, store.FlowQuery{SessionID: j.sess.ID, PageID: id})
		if err != nil {
			return err
		}
		for _, f := range flows {
			if j.keep(&f) {
				pr.Flows = append(pr.Flows, f)
			}
		}
	}
	sort.SliceStable(pr.Flows, func(a, b int) bool { return pr.Flows[a].Start.Before(pr.Flows[b].Start) })
	var own []store.Flow
	for _, f := range pr.Flows {
		if f.PageID == pr.Page.ID {
			own = append(own, f)
		}
	}
	pr.Steps = explain.Story(explain.StoryInput{Page: pr.Page, Flows: own, Conns: pr.Conns, Lookups: lookups})
	pr.summarise()
	return nil
}

func (pr *pageReport) summarise() {
	pr.Start = pr.Page.Start
	for _, f := range pr.Flows {
		if pr.Start.IsZero() || (!f.Start.IsZero() && f.Start.Before(pr.Start)) {
			pr.Start = f.Start
		}
		if f.End.After(pr.Settled) {
			pr.Settled = f.End
		}
		pr.Bytes += f.RespBody.Size + f.BytesDown
		if f.Status > pr.Worst {
			pr.Worst = f.Status
		}
		if f.Error != nil || f.Status >= 400 {
			pr.Failures++
		}
	}
}

// title is what a page load is called.
func (pr *pageReport) title() string {
	if pr.Page.Title != "" {
		return pr.Page.Title
	}
	return pr.Page.URL
}

// typeCounts says "3 stylesheets, 2 scripts, 5 images".
func typeCounts(flows []store.Flow) string {
	counts := map[string]int{}
	for _, f := range flows {
		t := f.ResourceType
		if t == "" {
			t = "other"
		}
		counts[t]++
	}
	var names []string
	for t := range counts {
		names = append(names, t)
	}
	sort.Slice(names, func(i, j int) bool {
		if counts[names[i]] != counts[names[j]] {
			return counts[names[i]] > counts[names[j]]
		}
		return names[i] < names[j]
	})
	out := ""
	for i, t := range names {
		if i > 0 {
			out += ", "
		}
		out += explain.Plural(counts[t], t)
	}
	return out
}
