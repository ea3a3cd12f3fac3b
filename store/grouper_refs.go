package store

import (
	"time"

	"github.com/glassbox-dev/glassbox/store/refs"
)

// refEntry says that a page's document or stylesheet references a URL.
type refEntry struct {
	page int64
	// flow delivered the document or stylesheet; 0 for a stylesheet the
	// browser had in its cache (its references are known from an earlier
	// load of it).
	flow  int64
	via   string // that document's or stylesheet's URL (normalised)
	sheet bool   // via is a stylesheet
	kind  refs.Kind
	as    string // a preload's destination
	// pending is true until a request for the URL was placed by this
	// entry: two tabs loading one page each consume their own.
	pending bool
	at      time.Time
}

// refIndex maps a URL to the documents and stylesheets that reference it,
// and keeps what each stylesheet and document referenced, so a later page
// that uses a cached copy can be told apart.
type refIndex struct {
	byURL  map[string][]*refEntry
	n      int
	sheets map[string]parsed // stylesheet URL -> its references
	docs   map[string]parsed // document URL -> its references (for a 304 reload)
}

// parsed is what one document or stylesheet referenced when last read.
type parsed struct {
	refs []refs.Ref
	at   time.Time
}

func newRefIndex() refIndex {
	return refIndex{byURL: map[string][]*refEntry{}, sheets: map[string]parsed{}, docs: map[string]parsed{}}
}

// add indexes what one document or stylesheet of a page references. A
// stylesheet it references whose content is known from before adds that
// stylesheet's references too, as from the browser's cache: if the browser
// fetches it again, its own response adds them once more with its flow.
func (ix *refIndex) add(page, flow int64, via string, sheet bool, rs []refs.Ref, at time.Time) {
	for _, r := range rs {
		key := NormalizeURL(r.URL)
		ix.byURL[key] = append(ix.byURL[key], &refEntry{page: page, flow: flow, via: via, sheet: sheet,
			kind: r.Kind, as: r.As, pending: r.Kind.Loads(), at: at})
		ix.n++
		if r.Kind == refs.Stylesheet || (r.Kind == refs.Preload && r.As == "style") {
			if p, ok := ix.sheets[key]; ok && key != via {
				ix.add(page, 0, key, true, p.refs, at)
			}
		}
	}
}

// remember keeps what a document or stylesheet referenced, by its URL,
// bounded: the oldest half goes when either map passes 4096 entries.
func (ix *refIndex) remember(key string, sheet bool, rs []refs.Ref, at time.Time) {
	m := ix.docs
	if sheet {
		m = ix.sheets
	}
	m[key] = parsed{refs: rs, at: at}
	if len(m) > 4096 {
		times := make([]time.Time, 0, len(m))
		for _, p := range m {
			times = append(times, p.at)
		}
		cut := midpoint(times)
		for k, p := range m {
			if !p.at.After(cut) {
				delete(m, k)
			}
		}
	}
}

// best finds the reference that explains a request for key: one whose
// document or stylesheet is the Referer, else one of the Referer's origin,
// else (no Referer) any; a pending one before one already used, a recent
// one before an older; only of pages alive says can take requests, and of
// the kinds given (all when none are).
func (ix *refIndex) best(key, referer string, alive func(int64) bool, kinds ...refs.Kind) *refEntry {
	cands := ix.byURL[key]
	if len(cands) == 0 {
		return nil
	}
	full, origin := "", ""
	if referer != "" {
		full, origin = NormalizeURL(referer), Origin(referer)
		if originOnly(full, origin, key) {
			full = "" // it names the origin, not the document at its "/"
		}
	}
	var bestE *refEntry
	bestScore := -1
	for _, e := range cands {
		if !kindIn(e.kind, kinds) || (alive != nil && !alive(e.page)) {
			continue
		}
		score := 0
		switch {
		case full != "" && e.via == full:
			score = 4
		case origin != "" && Origin(e.via) == origin:
			score = 2
		case full != "":
			continue // a Referer that names another document: not this one
		}
		if e.pending {
			score++
		}
		if score > bestScore || (score == bestScore && !e.at.Before(bestE.at)) {
			bestE, bestScore = e, score
		}
	}
	return bestE
}

// originOnly reports a Referer that says only its origin: "/" of another
// origin than the request's. Under the default referrer policy
// (strict-origin-when-cross-origin, Referrer Policy §3) a browser sends
// a cross-origin request the page's origin alone, whatever the document,
// so such a Referer cannot tell the document at "/" from any other page
// of that origin.
func originOnly(full, origin, key string) bool {
	return full == origin+"/" && Origin(key) != origin
}

// ambiguous reports whether another page than e's has a reference to key
// as good as e: then only recency chose between them.
func (ix *refIndex) ambiguous(key string, e *refEntry) bool {
	for _, o := range ix.byURL[key] {
		if o.page != e.page && o.pending == e.pending && o.via == e.via {
			return true
		}
	}
	return false
}

func kindIn(k refs.Kind, kinds []refs.Kind) bool {
	if len(kinds) == 0 {
		return true
	}
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// prune drops the references of the oldest half of pages when the index
// holds more than max.
func (ix *refIndex) prune(max int, last func(int64) time.Time) {
	if ix.n <= max {
		return
	}
	var times []time.Time
	for _, es := range ix.byURL {
		for _, e := range es {
			times = append(times, last(e.page))
		}
	}
	cut := midpoint(times)
	ix.dropPages(func(page int64) bool { return !last(page).After(cut) })
}

// dropPages removes every reference of the pages gone says are gone.
func (ix *refIndex) dropPages(gone func(int64) bool) {
	ix.n = 0
	for k, es := range ix.byURL {
		kept := es[:0]
		for _, e := range es {
			if !gone(e.page) {
				kept = append(kept, e)
			}
		}
		if len(kept) == 0 {
			delete(ix.byURL, k)
			continue
		}
		ix.byURL[k] = kept
		ix.n += len(kept)
	}
}
