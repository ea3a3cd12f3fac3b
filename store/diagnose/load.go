package diagnose

import (
	"context"
	"errors"

	"github.com/glassbox-dev/glassbox/store"
)

// Load reads what Diagnose needs of page load pageID of a session from r:
// the page's flows with their headers, and what Complete adds. pages are
// the session's page loads (r.Pages); conns and lookups its records
// (store.ConnsAndLookups), which a caller usually has already.
func Load(ctx context.Context, r store.Reader, sessionID int64, pages []store.Page, pageID int64,
	conns map[int64]*store.Conn, lookups map[int64]*store.Lookup) (Input, error) {
	in := Input{Conns: conns, Lookups: lookups}
	flows, err := r.Flows(ctx, store.FlowQuery{SessionID: sessionID, PageID: pageID})
	if err != nil {
		return in, err
	}
	in.Flows = flows
	return in, Complete(ctx, r, sessionID, pages, pageID, &in)
}

// Complete adds to in, whose Flows a caller read (with headers), what
// the diagnosis reads beyond them: the page, its document's body, and the
// flows of the load just before when this one loads the same document
// again (a reload, a return). It sets the body on in.Flows' own element:
// pass a copy of a slice others read.
func Complete(ctx context.Context, r store.Reader, sessionID int64, pages []store.Page, pageID int64, in *Input) error {
	var prev *store.Page
	for i := range pages {
		p := &pages[i]
		if p.ID == pageID {
			in.Page = *p
			break
		}
		if p.ParentID == 0 && p.MergedInto == 0 {
			prev = p // the top-level load just before this one
		}
	}
	if in.Page.ID == 0 {
		return store.ErrNotFound
	}
	for i := range in.Flows {
		f := &in.Flows[i]
		if f.ResourceType == "document" && f.Status == 200 {
			full, err := r.Flow(ctx, sessionID, f.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err == nil {
				f.RespBody = full.RespBody
			}
			break
		}
	}
	if prev != nil {
		before, err := r.Flows(ctx, store.FlowQuery{SessionID: sessionID, PageID: prev.ID})
		if err != nil {
			return err
		}
		if sameDocument(before, in.Flows, in.Page.URL) {
			in.Previous = before
		}
	}
	return nil
}

// sameDocument reports whether the load before (its flows) fetched the
// document this load is of: then this one is a reload, or a return.
func sameDocument(before, now []store.Flow, url string) bool {
	urls := map[string]bool{url: true}
	for _, f := range now {
		if f.ResourceType == "document" {
			urls[f.URL] = true
		}
	}
	for _, f := range before {
		if f.ResourceType == "document" && urls[f.URL] {
			return true
		}
	}
	return false
}
