package model

import (
	"slices"

	"github.com/glassbox-dev/glassbox/store"
)

// Initiators and redirect chains. A flow's Initiator names the flow that
// caused it; a redirect's names the flow whose 3xx the browser followed.
// Following those links backwards, then forwards, gives the chain a flow
// is part of: the first request, each hop, the final request. The model
// keeps the forward links as rows arrive, so a chain costs its own length.

// InitTypes are the initiator types, in the order help screens list them.
var InitTypes = []string{store.InitNavigation, store.InitRedirect, store.InitParser, store.InitStylesheet,
	store.InitScript, store.InitPreflight, store.InitBrowser, store.InitClient, store.InitUnknown}

// initType returns the package's own copy of a known initiator type, so a
// session's rows share a handful of strings instead of one each.
func initType(t string) string {
	if i := slices.Index(InitTypes, t); i >= 0 {
		return InitTypes[i]
	}
	return t
}

// maxChain bounds a redirect chain walk: a browser gives up after 20
// redirects (Fetch standard, HTTP-redirect fetch); bad data that loops
// stops here.
const maxChain = 64

// link records r's place in a redirect chain: r follows the redirect of
// r.InitFlow. The earliest flow to follow a redirect is its next hop.
func (m *Model) link(r *Row) {
	if r.Init != store.InitRedirect || r.InitFlow == 0 || r.InitFlow == r.ID {
		return
	}
	if cur, ok := m.next[r.InitFlow]; !ok || r.ID < cur {
		m.next[r.InitFlow] = r.ID
	}
}

// unlink forgets old's link when its row is replaced by one that no
// longer follows the same redirect.
func (m *Model) unlink(old, now *Row) {
	if old.Init == now.Init && old.InitFlow == now.InitFlow {
		return
	}
	if m.next[old.InitFlow] == old.ID {
		delete(m.next, old.InitFlow)
	}
}

// redirectedFrom is the flow whose redirect r followed, 0 when r is no
// redirect hop or that flow is not known.
func (m *Model) redirectedFrom(r *Row) int64 {
	if r == nil || r.Init != store.InitRedirect || r.InitFlow == 0 || m.RowByID(r.InitFlow) == nil {
		return 0
	}
	return r.InitFlow
}

// Chain returns the redirect chain flow id is part of, from the first
// request to the final one; nil when the flow is in none (a chain has at
// least two requests: a redirect and the request that followed it).
func (m *Model) Chain(id int64) []int64 {
	if m.RowByID(id) == nil {
		return nil
	}
	seen := map[int64]bool{id: true}
	back := []int64{id}
	for cur := id; len(back) < maxChain; {
		prev := m.redirectedFrom(m.RowByID(cur))
		if prev == 0 || seen[prev] {
			break
		}
		back, seen[prev], cur = append(back, prev), true, prev
	}
	slices.Reverse(back)
	chain := back
	for cur := id; len(chain) < maxChain; {
		nx, ok := m.next[cur]
		if !ok || seen[nx] || m.RowByID(nx) == nil {
			break
		}
		chain, seen[nx], cur = append(chain, nx), true, nx
	}
	if len(chain) < 2 {
		return nil
	}
	return chain
}

// Hop says where flow id sits in its redirect chain: hop k of n (1 is the
// first request, n the final one); 0, 0 when it is in none.
func (m *Model) Hop(id int64) (k, n int) {
	c := m.Chain(id)
	if i := slices.Index(c, id); i >= 0 {
		return i + 1, len(c)
	}
	return 0, 0
}

// final is the last request of the chain that goes on from row index i
// (i itself when no request followed its redirect).
func (m *Model) final(i int) int {
	cur := i
	for n := 0; n < maxChain; n++ {
		nx, ok := m.next[m.rows[cur].ID]
		if !ok {
			break
		}
		j, ok := m.byID[nx]
		if !ok || j == i {
			break
		}
		cur = j
	}
	return cur
}

// FoldChains reports whether redirect chains are folded into their final
// requests.
func (m *Model) FoldChains() bool { return m.fold }

// SetFoldChains folds each redirect chain into its final request, or
// unfolds them: a folded chain is one line, its final request's, which
// says how many hops it hides (Item.Hops).
func (m *Model) SetFoldChains(on bool) {
	if m.fold != on {
		m.fold = on
		m.dirty = true
	}
}

// foldHops marks, among the rows that pass the filter (idx), the hops
// that lead to a final request also passing it: those are hidden, and the
// final request counts them. A hop whose final request is filtered out
// stays in the list: folding never hides a flow the filter asked for.
func (m *Model) foldHops(idx []int) {
	m.hidden, m.hops = nil, nil
	if !m.fold || len(m.next) == 0 {
		return
	}
	shown := make([]bool, len(m.rows))
	for _, i := range idx {
		shown[i] = true
	}
	m.hidden, m.hops = make([]bool, len(m.rows)), map[int]int{}
	for _, i := range idx {
		if _, ok := m.next[m.rows[i].ID]; !ok {
			continue
		}
		if f := m.final(i); f != i && shown[f] {
			m.hidden[i] = true
			m.hops[f]++
		}
	}
}

// isHidden reports whether row index i is folded into its chain's final
// request.
func (m *Model) isHidden(i int) bool { return m.hidden != nil && m.hidden[i] }

// Folded reports whether flow id is hidden in the list because its
// redirect chain is folded into its final request.
func (m *Model) Folded(id int64) bool {
	m.ensure()
	i, ok := m.byID[id]
	return ok && m.isHidden(i)
}
