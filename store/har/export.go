package har

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec"
	"github.com/glassbox-dev/glassbox/store/textsafe"
)

// Options control an export.
type Options struct {
	// NoRedact keeps Authorization, Proxy-Authorization, Cookie and
	// Set-Cookie values. By default they are replaced with Redacted.
	NoRedact bool
	// RedactParams names query-string parameters whose values are redacted
	// too (e.g. "token", "api_key"). Matching ignores case.
	RedactParams []string
	// Version is glassbox's version, for creator.version.
	Version string
	// PageID, when > 0, exports only that page load.
	PageID int64
	// Filter, when set, keeps only the flows it accepts.
	Filter func(*store.Flow) bool
	// Notes, when set, returns plain-language notes for an entry (_notes).
	// This package explains nothing itself: inspector/export wires the
	// explanations in.
	Notes func(NoteContext) []string
	// Comment, when set, returns the comment of a flow's entry (pageID 0)
	// or of a page (flowID 0): what a person wrote on it in the inspector.
	Comment func(flowID, pageID int64) string
	// Progress, when set, is called every 1,000 entries with the count.
	Progress func(done int)
}

// NoteContext is what Options.Notes gets for one entry: the flow, its
// connection and lookup, and its neighbours in the same page (by ID, which
// is arrival order), any of which may be nil.
type NoteContext struct {
	Flow       *store.Flow
	Conn       *store.Conn
	Lookup     *store.Lookup
	Prev, Next *store.Flow
	// Budget is the export's decoding budget, for notes that decode the
	// body (it already knows the size of the body the entry decoded).
	Budget *codec.Budget
}

// Export writes one session as HAR 1.2 to w.
func Export(ctx context.Context, r store.Reader, sessionID int64, w io.Writer, opt Options) error {
	s, err := readSession(ctx, r, sessionID)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	writeHead(bw, s.sess, opt)
	if err := s.writePages(ctx, r, bw, opt); err != nil {
		return err
	}
	bw.WriteString("\n    ],\n    \"entries\": [")
	es := &entryStream{s: s, w: bw, opt: opt, first: true, lastInPage: map[int64]*store.Flow{}, budget: codec.NewBudget()}
	err = store.EachFlow(ctx, r, store.FlowQuery{SessionID: s.sess.ID, WithBodies: true}, 200, func(f *store.Flow) error {
		if opt.PageID > 0 && s.top[f.PageID] != opt.PageID {
			return nil
		}
		if opt.Filter != nil && !opt.Filter(f) {
			return nil
		}
		return es.add(f)
	})
	if err == nil {
		err = es.end()
	}
	if err != nil {
		return err
	}
	bw.WriteString("\n    ]\n  }\n}\n")
	return bw.Flush()
}

// session is what every entry of an export looks up: the session, its
// page loads (and the top-level page of each) and its connections.
type session struct {
	sess    store.Session
	pages   []store.Page
	top     map[int64]int64
	conns   map[int64]*store.Conn
	lookups map[int64]*store.Lookup
	// resends maps a flow to the flows glassbox resend made of it, when
	// the store can say (store.ResendIndex).
	resends map[int64][]int64
	// r and ctx read a flow's messages as its entry is written.
	r   store.Reader
	ctx context.Context
}

func readSession(ctx context.Context, r store.Reader, sessionID int64) (*session, error) {
	sess, err := r.Session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	pages, err := r.Pages(ctx, sess.ID)
	if err != nil {
		return nil, err
	}
	conns, lookups, err := store.ConnsAndLookups(ctx, r, sess.ID)
	if err != nil {
		return nil, err
	}
	s := &session{sess: sess, pages: pages, top: topPages(pages), conns: conns, lookups: lookups, r: r, ctx: ctx}
	if ri, ok := r.(store.ResendIndex); ok {
		if s.resends, err = ri.Resends(ctx, sess.ID); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// writeHead opens the document: creator, the comment that says what was
// redacted, and the start of pages[].
func writeHead(bw *bufio.Writer, sess store.Session, opt Options) {
	version := opt.Version
	if version == "" {
		version = "dev"
	}
	comment := fmt.Sprintf("glassbox session %d, started %s.", sess.ID, sess.Started.UTC().Format(time.RFC3339))
	if opt.NoRedact {
		comment += " Not redacted: this file contains cookies and credentials as they were sent."
	} else {
		comment += " Authorization, Proxy-Authorization, Cookie and Set-Cookie values are replaced with \"" + Redacted + "\"."
		if len(opt.RedactParams) > 0 {
			comment += " So are the query parameters " + strings.Join(opt.RedactParams, ", ") + "."
		}
	}
	network := ""
	if sess.Network != "" {
		comment += " Times include the delays glassbox added to shape the network (_network)."
		network = fmt.Sprintf("\n    \"_network\": %s,", mustJSON(sess.Network))
	}
	fmt.Fprintf(bw, "{\n  \"log\": {\n    \"version\": \"1.2\",\n    \"creator\": %s,\n    \"comment\": %s,%s\n    \"pages\": [",
		mustJSON(Creator{Name: "glassbox", Version: version}), mustJSON(comment), network)
}

// writePages writes top-level page loads only; entries of an iframe carry
// the pageref of the page that contains it (DESIGN.md, as Chrome does).
func (s *session) writePages(ctx context.Context, r store.Reader, bw *bufio.Writer, opt Options) error {
	only := opt.PageID
	first := true
	for _, p := range s.pages {
		if p.ParentID != 0 || p.MergedInto != 0 || (only > 0 && p.ID != only) {
			continue // frames go with their page; a download's page holds nothing
		}
		title := p.Title
		if title == "" {
			title = p.URL
		}
		hp := Page{StartedDateTime: isoTime(p.Start), ID: pageRef(p.ID), Title: title,
			PageTimings: PageTimings{OnContentLoad: -1, OnLoad: -1}}
		if opt.Comment != nil {
			hp.Comment = opt.Comment(0, p.ID)
		}
		var err error
		if hp.Insights, err = s.insights(ctx, r, p); err != nil {
			return err
		}
		writeItem(bw, &first, hp)
	}
	return nil
}

// entryStream writes entries as flows arrive, one flow behind: an entry's
// notes may depend on the next flow of its page (a CORS preflight names
// the request it prepares) and on the one before.
type entryStream struct {
	s     *session
	w     *bufio.Writer
	opt   Options
	first bool
	n     int
	cur   *store.Flow
	// lastInPage is each page's last entry written, kept for its
	// neighbour's notes without its bodies, so memory stays bounded by the
	// number of pages.
	lastInPage map[int64]*store.Flow
	// budget bounds what the export decodes over all its bodies.
	budget *codec.Budget
}

// add takes the next flow and writes the one before it.
func (es *entryStream) add(f *store.Flow) error {
	next := *f
	if es.cur != nil {
		var nb *store.Flow
		if es.cur.PageID != 0 && next.PageID == es.cur.PageID {
			nb = &next
		}
		if err := es.emit(nb); err != nil {
			return err
		}
	}
	es.cur = &next
	return nil
}

// end writes the last flow.
func (es *entryStream) end() error {
	if es.cur == nil {
		return nil
	}
	return es.emit(nil)
}

func (es *entryStream) emit(next *store.Flow) error {
	f := es.cur
	// The records the inspector shows with the flow: for one that failed
	// before a connection was ready, its failed dial and lookup.
	c := store.FlowConn(f, es.s.conns)
	lk := store.FlowLookup(f, c, es.s.lookups)
	e := entry(f, c, lk, es.s.top[f.PageID], es.opt, es.budget)
	if es.opt.Comment != nil {
		e.Comment = es.opt.Comment(f.ID, 0)
	}
	e.ResentAs = es.s.resends[f.ID]
	if f.Messages > 0 {
		msgs, err := store.Messages(es.s.ctx, es.s.r, es.s.sess.ID, f.ID)
		if err != nil {
			return err
		}
		messagesOf(&e, f, msgs)
	}
	if es.opt.Notes != nil {
		e.Notes = es.opt.Notes(NoteContext{Flow: f, Conn: c, Lookup: lk, Prev: es.lastInPage[f.PageID], Next: next, Budget: es.budget})
	}
	writeItem(es.w, &es.first, e)
	es.n++
	if es.opt.Progress != nil && es.n%1000 == 0 {
		es.opt.Progress(es.n)
	}
	if f.PageID != 0 {
		light := *f
		light.ReqBody.Data, light.RespBody.Data = nil, nil
		es.lastInPage[f.PageID] = &light
	}
	return es.w.Flush()
}

// topPages maps each page ID to the top-level page that contains it.
func topPages(pages []store.Page) map[int64]int64 {
	parent := make(map[int64]int64, len(pages))
	for _, p := range pages {
		parent[p.ID] = p.ParentID
	}
	top := make(map[int64]int64, len(pages))
	for _, p := range pages {
		id := p.ID
		for i := 0; i < 32 && parent[id] != 0; i++ { // bounded: a cycle cannot hang the export
			id = parent[id]
		}
		top[p.ID] = id
	}
	return top
}

// writeItem writes one page or entry on a line of its own: compact JSON
// (indenting every entry of a large session cost more than everything else
// in the export together), still one record per line for people and grep.
// <, > and & are written as they are, not as six-byte escapes as
// json.Marshal writes them for HTML pages: a HAR is no HTML page, and
// a body of "<<<<" grew sixfold. DEL and C1 are escaped (textsafe.JSON) as
// encoding/json escapes C0: the file is often printed to a terminal, and
// reads back the same.
func writeItem(w *bufio.Writer, first *bool, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	b := []byte("{}")
	if enc.Encode(v) == nil {
		b = bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
	}
	b = textsafe.JSON(b)
	if !*first {
		w.WriteByte(',')
	}
	*first = false
	w.WriteString("\n      ")
	w.Write(b)
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(textsafe.JSON(b))
}
