// Package compare puts two page loads (or two whole sessions) side by
// side: which requests both made, matched by method and normalised URL,
// what only one made, what changed (a 200 that became a 304), and where
// the time and the bytes went on each side, phase by phase. The teaching
// case is a first visit against a reload: the browser's cache turned
// downloads into revalidations, and glassbox's DNS cache and open
// connections skipped lookups and handshakes.
//
// It is pure: it reads records through store.Reader (Load) and computes
// (Compare); the inspector, `glassbox compare` and the reports show the
// result. Every total is the sum of the rows it comes from.
package compare

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// Side is one page load (with its frames) or one session, with the
// records its flows' phases are derived with.
type Side struct {
	Label   string // "page #3 (Shop: Home)", "session 2"
	Flows   []store.Flow
	Conns   map[int64]*store.Conn
	Lookups map[int64]*store.Lookup
}

// Row is one request: made on both sides (A and B set), or on one.
type Row struct {
	Key  string      // method and normalised URL, query sorted
	A, B *store.Flow // nil on the side that did not make it
	// Occurrence numbers a request made more than once on a side: the
	// first GET of a URL pairs with the first, the second with the second.
	Occurrence int
}

// Totals sum one side's rows.
type Totals struct {
	Requests    int
	Bytes       int64 // response bodies as they crossed the wire
	Phases      map[string]time.Duration
	Elapsed     time.Duration // from the first request's start to the last one's end
	Lookups     int           // DNS lookups made (asking a server; cache and hosts answers not counted)
	CacheHits   int           // DNS answers glassbox's cache gave
	NewConns    int           // connections opened (TCP, and TLS for https)
	Reused      int           // requests that went over a connection already open
	Revalidated int           // 304 answers: the browser's copy confirmed
}

// Result is the comparison.
type Result struct {
	A, B   Side
	Rows   []Row // in the order of side A, then what only B made
	TotA   Totals
	TotB   Totals
	Counts struct{ Both, OnlyA, OnlyB, StatusChanged int }
}

// Compare matches the requests of a and b and sums each side.
func Compare(a, b Side) Result {
	res := Result{A: a, B: b}
	byKey := map[string][]*store.Flow{}
	for i := range b.Flows {
		f := &b.Flows[i]
		byKey[Key(f)] = append(byKey[Key(f)], f)
	}
	seen := map[string]int{}
	paired := map[*store.Flow]bool{}
	for i := range a.Flows {
		f := &a.Flows[i]
		k := Key(f)
		row := Row{Key: k, A: f, Occurrence: seen[k]}
		if bs := byKey[k]; seen[k] < len(bs) {
			row.B = bs[seen[k]]
			paired[row.B] = true
		}
		seen[k]++
		res.Rows = append(res.Rows, row)
	}
	// What only B made, in B's order.
	seenB := map[string]int{}
	for i := range b.Flows {
		f := &b.Flows[i]
		k := Key(f)
		if !paired[f] {
			res.Rows = append(res.Rows, Row{Key: k, B: f, Occurrence: seenB[k]})
		}
		seenB[k]++
	}
	for _, r := range res.Rows {
		switch {
		case r.A != nil && r.B != nil:
			res.Counts.Both++
			if r.A.Status != r.B.Status {
				res.Counts.StatusChanged++
			}
		case r.A != nil:
			res.Counts.OnlyA++
		default:
			res.Counts.OnlyB++
		}
	}
	res.TotA, res.TotB = sum(a), sum(b)
	return res
}

// Key is what two requests must share to be "the same request": the
// method and the normalised URL (case of scheme and host, default port,
// the fragment, which never reaches a server), with the query's parameters
// in sorted order (a script may build them in any order).
func Key(f *store.Flow) string {
	u := store.NormalizeURL(f.URL)
	if p, err := url.Parse(u); err == nil && p.RawQuery != "" {
		params := strings.Split(p.RawQuery, "&")
		sort.Strings(params)
		p.RawQuery = strings.Join(params, "&")
		u = p.String()
	}
	return strings.ToUpper(f.Method) + " " + u
}

// sum adds up one side.
func sum(s Side) Totals {
	t := Totals{Phases: map[string]time.Duration{}}
	var first, last time.Time
	for i := range s.Flows {
		f := &s.Flows[i]
		t.Requests++
		t.Bytes += max(f.RespBody.Size, 0)
		if f.Status == 304 {
			t.Revalidated++
		}
		c := store.FlowConn(f, s.Conns)
		tm := store.ComputeTimings(f, c)
		for _, p := range store.TimingPhases {
			if d := tm.Of(p.Name); d > 0 {
				t.Phases[p.Name] += d
			}
		}
		switch {
		case f.ConnReused:
			t.Reused++
		case f.ConnID != 0 && c != nil:
			t.NewConns++
			if l := store.FlowLookup(f, c, s.Lookups); l != nil {
				switch l.Source {
				case "network", "trace":
					t.Lookups++
				case "cache":
					t.CacheHits++
				}
			}
		}
		if first.IsZero() || (!f.Start.IsZero() && f.Start.Before(first)) {
			first = f.Start
		}
		if f.End.After(last) {
			last = f.End
		}
	}
	t.Elapsed = store.Between(first, last)
	return t
}

// Saved is what side B did not pay that side A did for a row: the
// response bytes (a 304 in place of a 200), positive when B paid less.
func (r Row) Saved() int64 {
	var a, b int64
	if r.A != nil {
		a = max(r.A.RespBody.Size, 0)
	}
	if r.B != nil {
		b = max(r.B.RespBody.Size, 0)
	}
	return a - b
}

// LoadPage reads a page load of a session, with the frames inside it,
// and the records its phases are derived with.
func LoadPage(ctx context.Context, r store.Reader, session, page int64) (Side, error) {
	pages, err := r.Pages(ctx, session)
	if err != nil {
		return Side{}, err
	}
	var p *store.Page
	parent := map[int64]int64{}
	for i := range pages {
		parent[pages[i].ID] = pages[i].ParentID
		if pages[i].ID == page {
			p = &pages[i]
		}
	}
	if p == nil {
		return Side{}, fmt.Errorf("page %d: %w (glassbox inspect lists the page loads of a session)", page, store.ErrNotFound)
	}
	label := "page #" + strconv.FormatInt(page, 10)
	if p.Title != "" {
		label += " (" + p.Title + ")"
	}
	return load(ctx, r, session, label, func(f *store.Flow) bool { return within(f.PageID, page, parent) })
}

// LoadSession reads a whole session.
func LoadSession(ctx context.Context, r store.Reader, session int64) (Side, error) {
	s, err := r.Session(ctx, session)
	if err != nil {
		return Side{}, err
	}
	return load(ctx, r, s.ID, "session "+strconv.FormatInt(s.ID, 10), func(*store.Flow) bool { return true })
}

func load(ctx context.Context, r store.Reader, session int64, label string, keep func(*store.Flow) bool) (Side, error) {
	side := Side{Label: label}
	err := store.EachFlow(ctx, r, store.FlowQuery{SessionID: session}, 1000, func(f *store.Flow) error {
		if keep(f) {
			side.Flows = append(side.Flows, *f)
		}
		return nil
	})
	if err != nil {
		return Side{}, err
	}
	side.Conns, side.Lookups, err = store.ConnsAndLookups(ctx, r, session)
	return side, err
}

// within reports whether page is top or a frame inside it.
func within(page, top int64, parent map[int64]int64) bool {
	for n := 0; page != 0 && n < 64; n++ {
		if page == top {
			return true
		}
		page = parent[page]
	}
	return false
}
