package store

import (
	"sync"
	"time"
)

// Grouper decides, as each request arrives and again when its response
// ends, which page load it belongs to and what initiated it, the way a
// browser's network panel does. The proxy calls Assign for every request
// and Response for every response, so the live view groups as it happens;
// an importer of a HAR file without pages does the same.
//
// It follows the initiator chain first. glassbox sees every HTML document
// and stylesheet that passes through it, and store/refs reads the URLs they
// reference: a request for a URL that page P's HTML (or a stylesheet P
// uses, even one the browser had in its cache) references belongs to P,
// initiated by that document or stylesheet. Then the signals a proxy sees
// on the request itself: a redirect's Location, which the browser follows
// next in the same page load; Fetch metadata (Sec-Fetch-Mode, -Dest, -Site)
// and, on plain HTTP, Upgrade-Insecure-Requests and Accept for navigations;
// Referer, the full URL of the document or stylesheet that asked, or only
// its origin for cross-origin requests; the User-Agent, which tells the
// browser from other programs. Time and origin alone decide last, and the
// initiator then says so (Heuristic).
//
// The browser's own traffic and other programs' requests join no page.
// Everything it keeps is bounded (MaxRefs references; pages, stylesheets
// and documents pruned by age).
type Grouper struct {
	// RedirectWindow is how long a redirect's target is expected (30s).
	RedirectWindow time.Duration
	// OriginWindow is how recently a page must have been active to take a
	// request on its origin alone (60s).
	OriginWindow time.Duration
	// IdleWindow is how recently the latest page must have been active to
	// take a request that says it comes from a page but not which (5s).
	IdleWindow time.Duration
	// MaxRefs bounds the index of references (200,000).
	MaxRefs int

	mu        sync.Mutex
	nextID    int64
	pages     []*pageState // in opening order
	byID      map[int64]*pageState
	index     refIndex
	redirects map[string]hop       // redirect target (normalised) -> the redirect
	flows     map[int64]*flowEntry // requests whose response has not ended
	agents    map[string]time.Time // the browser's User-Agents, from its navigations
	// byDoc and byOrigin find pages by a URL their document has had and by
	// origin, in opening order, without a pass over every page.
	byDoc    map[string][]int64
	byOrigin map[string][]int64
	// prefetched are documents the browser prefetched (normalised URL ->
	// what they reference), until a page of them opens.
	prefetched map[string]parsed
}

// pageState is what the grouper knows of one page load.
type pageState struct {
	page    Page
	origin  string
	last    time.Time // the latest request or response of the page
	docURL  string    // the URL the page finally landed on (after redirects)
	docFlow int64     // the flow that delivered its document
	// aliases are the normalised URLs its document has had: where it
	// landed, and URLs a script gave it with history.pushState, learnt
	// from Referer.
	aliases map[string]bool
}

// hop is a redirect: where it was and which flow it was.
type hop struct {
	page, flow int64
	url        string
	at         time.Time
}

// flowEntry is a request whose response has not ended.
type flowEntry struct {
	req    PageRequest
	key    string // the URL, normalised
	nav    navKind
	page   int64
	init   Initiator
	ref    *refEntry // the reference that explained it, when one did
	opened bool      // the request opened page `page`
	// download is set for a navigate+empty request whose answer was no
	// document: a download, which stays in the page it came from.
	download bool
	// newPage is a page opened while placing the request (one the browser
	// showed from its prefetch cache, which glassbox never saw load).
	newPage *Page
}

// PageRequest is what Assign needs to know about a request.
type PageRequest struct {
	FlowID  int64
	Method  string
	URL     string
	Headers Headers
	Start   time.Time
}

// Assignment is Assign's answer: where the request goes for now. Response
// gives the final answer, with what the meantime taught.
type Assignment struct {
	PageID       int64 // 0: no page load
	ResourceType string
	Initiator    Initiator
	// NewPage is set when this request opened a page load; record it.
	NewPage *Page
}

// PageResponse is what Response needs to know about a response.
type PageResponse struct {
	FlowID  int64
	Status  int
	Headers Headers
	Body    []byte // the stored copy (maybe cut short, maybe still compressed)
	// Decoded says Body is the decoded entity although Headers name a
	// Content-Encoding (HAR imports).
	Decoded bool
	End     time.Time
}

// Outcome is Response's answer for the flow.
type Outcome struct {
	PageID       int64
	ResourceType string
	Initiator    Initiator
	// Pages are page records that changed (a title found, a page opened by
	// this response, a page merged away): record them.
	Pages []Page
}

// NewGrouper returns a Grouper whose page IDs start at 1.
func NewGrouper() *Grouper {
	return &Grouper{
		RedirectWindow: 30 * time.Second,
		OriginWindow:   60 * time.Second,
		IdleWindow:     5 * time.Second,
		MaxRefs:        200_000,
		byID:           map[int64]*pageState{},
		index:          newRefIndex(),
		redirects:      map[string]hop{},
		flows:          map[int64]*flowEntry{},
		agents:         map[string]time.Time{},
		byDoc:          map[string][]int64{},
		byOrigin:       map[string][]int64{},
		prefetched:     map[string]parsed{},
	}
}

// Assign places a request as it arrives.
func (g *Grouper) Assign(r PageRequest) Assignment {
	g.mu.Lock()
	defer g.mu.Unlock()
	fe := &flowEntry{req: r, key: NormalizeURL(r.URL)}
	fe.nav = g.navigationKind(r)
	var a Assignment
	switch fe.nav {
	case navTop, navFrame:
		a.NewPage = g.navigate(fe)
	default:
		g.place(fe)
		a.NewPage, fe.newPage = fe.newPage, nil
	}
	g.touch(fe.page, r.Start)
	g.flows[r.FlowID] = fe
	a.PageID, a.Initiator = fe.page, fe.init
	a.ResourceType = fe.resourceType("")
	return a
}

// Response finishes placing a request once its response has ended: a
// navigation that turned out to be a download or a page load, a
// sub-request that a document parsed meanwhile explains; and it learns
// from the response (a redirect's target, a document's or stylesheet's
// references, a page's title).
func (g *Grouper) Response(r PageResponse) Outcome {
	g.mu.Lock()
	defer g.mu.Unlock()
	fe := g.flows[r.FlowID]
	if fe == nil {
		return Outcome{ResourceType: ResponseType("", r.Headers.Get("Content-Type"), "")}
	}
	delete(g.flows, r.FlowID)
	var out Outcome
	out.Pages = g.settleNavigation(fe, r)
	if fe.nav == navNone && fe.ref == nil && (fe.init.Heuristic || fe.init.Type == InitScript || fe.init.Type == InitUnknown) {
		g.place(fe) // a document parsed since may reference it now
		if fe.newPage != nil {
			out.Pages = append(out.Pages, *fe.newPage)
		}
	}
	if target, ok := RedirectTarget(fe.req.URL, r.Status, r.Headers.Get("Location")); ok {
		g.redirects[target] = hop{page: fe.page, flow: r.FlowID, url: fe.req.URL, at: r.End}
	}
	out.ResourceType = fe.resourceType(r.Headers.Get("Content-Type"))
	if p := g.learn(fe, r, out.ResourceType); p != nil {
		out.Pages = append(out.Pages, *p)
	}
	g.touch(fe.page, r.End)
	out.PageID, out.Initiator = fe.page, fe.init
	return out
}

// touch notes activity on a page (and so on its parents).
func (g *Grouper) touch(page int64, at time.Time) {
	for depth := 0; page != 0 && depth < 8; depth++ {
		ps := g.byID[page]
		if ps == nil {
			return
		}
		if at.After(ps.last) {
			ps.last = at
		}
		page = ps.page.ParentID
	}
}
