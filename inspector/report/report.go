// Package report writes a session as a document people read: each page
// load told as the numbered story of inspector/explain, with its waterfall.
// Markdown for notes and issue trackers; HTML as one self-contained file
// (inline CSS and SVG, no scripts, nothing fetched) that a teacher can hand
// out. It reads through store.Reader only.
package report

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

// Options select what a report covers.
type Options struct {
	// PageID, when > 0, reports only that page load (and its frames).
	PageID int64
	// Filter, when set, keeps only the flows it accepts (in waterfalls and
	// counts; a page's story is told from the flows kept).
	Filter func(*store.Flow) bool
	// Version is glassbox's version, for the footer.
	Version string
	// MaxPages bounds how many page loads are told (default 200): a report
	// is for reading, the HAR export is for everything.
	MaxPages int
}

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
}

// session is everything a report needs, loaded page by page.
type session struct {
	Session      store.Session
	Pages        []pageReport
	Skipped      int // pages beyond MaxPages
	Unattributed []store.Flow
	Conns        map[int64]*store.Conn
}

func load(ctx context.Context, r store.Reader, sessionID int64, opt Options) (*session, error) {
	sess, err := r.Session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	pages, err := r.Pages(ctx, sess.ID)
	if err != nil {
		return nil, err
	}
	conns, err := r.Conns(ctx, sess.ID)
	if err != nil {
		return nil, err
	}
	lookups, err := r.Lookups(ctx, sess.ID)
	if err != nil {
		return nil, err
	}
	s := &session{Session: sess, Conns: map[int64]*store.Conn{}}
	for i := range conns {
		s.Conns[conns[i].ID] = &conns[i]
	}
	lk := map[int64]*store.Lookup{}
	for i := range lookups {
		lk[lookups[i].ID] = &lookups[i]
	}
	max := opt.MaxPages
	if max <= 0 {
		max = 200
	}
	frames := map[int64][]store.Page{}
	for _, p := range pages {
		if p.ParentID != 0 {
			frames[p.ParentID] = append(frames[p.ParentID], p)
		}
	}
	for _, p := range pages {
		if p.ParentID != 0 || (opt.PageID > 0 && p.ID != opt.PageID) {
			continue
		}
		if len(s.Pages) >= max {
			s.Skipped++
			continue
		}
		pr := pageReport{Page: p, Frames: frames[p.ID], Conns: s.Conns}
		ids := []int64{p.ID}
		for _, f := range pr.Frames {
			ids = append(ids, f.ID)
		}
		for _, id := range ids {
			flows, err := r.Flows(ctx, store.FlowQuery{SessionID: sess.ID, PageID: id})
			if err != nil {
				return nil, err
			}
			for _, f := range flows {
				if opt.Filter == nil || opt.Filter(&f) {
					pr.Flows = append(pr.Flows, f)
				}
			}
		}
		sort.SliceStable(pr.Flows, func(i, j int) bool { return pr.Flows[i].Start.Before(pr.Flows[j].Start) })
		var own []store.Flow
		for _, f := range pr.Flows {
			if f.PageID == p.ID {
				own = append(own, f)
			}
		}
		pr.Steps = explain.Story(explain.StoryInput{Page: p, Flows: own, Conns: s.Conns, Lookups: lk})
		pr.summarise()
		s.Pages = append(s.Pages, pr)
	}
	if opt.PageID == 0 {
		err = store.EachFlow(ctx, r, store.FlowQuery{SessionID: sess.ID, Summary: true}, 1000, func(f *store.Flow) error {
			if f.PageID == 0 && (opt.Filter == nil || opt.Filter(f)) && len(s.Unattributed) < 500 {
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
		out += plural(counts[t], t)
	}
	return out
}

// plural says "1 image", "2 images", "3 fetches", "2 media".
func plural(n int, noun string) string {
	switch {
	case n == 1 || noun == "media" || noun == "other":
	case strings.HasSuffix(noun, "ch"):
		noun += "es"
	default:
		noun += "s"
	}
	return fmt.Sprintf("%d %s", n, noun)
}
