package explain

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// Step is one numbered step of the story of a page load.
type Step struct {
	N     int
	Title string
	// Text is the step told with this page's numbers. Lines are separated
	// by "\n"; a line starting with "- " is a list item, "  - " a sub-item.
	Text  string
	Flows []int64 // the flows this step is about
}

// StoryInput is one page load and what was recorded around it.
type StoryInput struct {
	Page    store.Page
	Flows   []store.Flow // the page's flows, by start time
	Conns   map[int64]*store.Conn
	Lookups map[int64]*store.Lookup
}

// maxRedirects is where a browser gives up on a redirect chain (the Fetch
// standard's limit of 20).
const maxRedirects = 20

// storyMaxList caps how many flows one step lists line by line.
const storyMaxList = 40

// Story tells what happened when this page loaded, in the order of
// DESIGN.md's "story glassbox tells": the URL, the address, the connection,
// TLS, the request, the server's wait, the response (and each redirect),
// then the sub-resources and the scripts' own requests, with the numbers
// measured for this page. Where glassbox has no record of a step it says
// so instead of inventing a number. A document that failed ends the story
// at the step where it failed. The output depends only on the input.
func Story(in StoryInput) []Step {
	s := &story{in: in}
	for i := range in.Flows {
		s.flows = append(s.flows, &in.Flows[i])
	}
	sort.SliceStable(s.flows, func(i, j int) bool {
		a, b := s.flows[i], s.flows[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		return a.ID < b.ID
	})
	s.tell()
	return s.steps
}

// FlowStory tells one request on its own: steps 1 to 7 with its own
// numbers, in the sentences of the story of a page load, so a flow's story
// and its page's never tell a step two ways. c and l are the flow's
// connection and lookup records (store.FlowConn, store.FlowLookup), nil
// when there are none or they are not known.
func FlowStory(f *store.Flow, c *store.Conn, l *store.Lookup) []Step {
	in := StoryInput{Conns: map[int64]*store.Conn{}, Lookups: map[int64]*store.Lookup{}}
	if c != nil {
		in.Conns[c.ID] = c
		if f.ConnID != 0 {
			in.Conns[f.ConnID] = c
		}
	}
	if l != nil {
		in.Lookups[l.ID] = l
	}
	s := &story{in: in, flows: []*store.Flow{f}, t0: f.Start, single: true}
	if f.ResendOf != 0 {
		s.add("Sent again by glassbox", resendFacts(f), f.ID, f.ResendOf)
	}
	s.add("The URL is split", append(urlFacts(f), urlLesson), f.ID)
	s.hop(f)
	return s.steps
}

type story struct {
	single bool // one request's story (FlowStory), not a page load's
	in     StoryInput
	flows  []*store.Flow
	t0     time.Time // the page load's start, for "+52 ms" offsets
	steps  []Step
	told   map[string]bool // lessons already told, so a redirect's step adds only new ones
}

// lesson returns text the first time key is asked for, "" after.
func (s *story) lesson(key, text string) string {
	if s.told == nil {
		s.told = map[string]bool{}
	}
	if s.told[key] {
		return ""
	}
	s.told[key] = true
	return text
}

func (s *story) add(title string, lines []string, ids ...int64) {
	s.steps = append(s.steps, Step{N: len(s.steps) + 1, Title: title, Text: strings.Join(lines, "\n"), Flows: ids})
}

func (s *story) tell() {
	doc := s.document()
	if doc == nil {
		s.add("Nothing recorded", []string{"glassbox recorded no request for this page load, so there is no story to tell."})
		return
	}
	s.t0 = doc.Start
	if ps := s.in.Page.Start; !ps.IsZero() && (s.t0.IsZero() || ps.Before(s.t0)) {
		s.t0 = ps
	}
	chain := s.navigation(doc)
	s.add("The URL is split", append(urlFacts(doc), urlLesson), doc.ID)
	if !s.hop(doc) {
		return
	}
	for i := 1; i < len(chain); i++ {
		if !s.redirectHop(chain[i], i == len(chain)-1) {
			return
		}
	}
	inChain := map[int64]bool{}
	for _, f := range chain {
		inChain[f.ID] = true
	}
	var subs, later, unsure []*store.Flow
	for _, f := range s.flows {
		switch {
		case inChain[f.ID]:
		case f.Initiator.Heuristic || f.Initiator.Type == store.InitUnknown:
			unsure = append(unsure, f)
		case isLater(f):
			later = append(later, f)
		default:
			subs = append(subs, f)
		}
	}
	s.subresources(chain[len(chain)-1], subs)
	if len(later) > 0 {
		s.scripts(later)
	}
	if len(unsure) > 0 {
		s.unsure(unsure)
	}
}

// isLater reports whether a flow belongs to the scripts' step: what a
// script asked for (its initiator says so), or, in a capture without
// initiators, fetches, preflights, WebSockets and tunnels.
func isLater(f *store.Flow) bool {
	switch f.Initiator.Type {
	case store.InitScript, store.InitPreflight:
		return true
	case store.InitParser, store.InitStylesheet:
		return false
	}
	if f.Kind == store.KindTunnel || f.Kind == store.KindWebSocket || isPreflight(f) {
		return true
	}
	switch store.TypeOf(f) {
	case "fetch", "websocket":
		return true
	}
	return false
}

// document finds the navigation request: the page's FlowID, else its
// first document, else its first flow.
func (s *story) document() *store.Flow {
	if len(s.flows) == 0 {
		return nil
	}
	for _, f := range s.flows {
		if f.ID == s.in.Page.FlowID && s.in.Page.FlowID != 0 {
			return f
		}
	}
	for _, f := range s.flows {
		if store.TypeOf(f) == "document" {
			return f
		}
	}
	return s.flows[0]
}

// navigation follows the document's redirects through the page's flows:
// by the flows' initiators where glassbox recorded them (the request that
// followed the redirect names it), else by the Location's address.
func (s *story) navigation(doc *store.Flow) []*store.Flow {
	chain := []*store.Flow{doc}
	seen := map[int64]bool{doc.ID: true}
	for cur := doc; len(chain) <= maxRedirects; {
		target, ok := cur.RedirectTarget()
		if !ok {
			break
		}
		next := s.followed(cur, seen)
		for _, f := range s.flows {
			if next == nil && !seen[f.ID] && !f.Start.Before(cur.Start) && store.NormalizeURL(f.URL) == store.NormalizeURL(target) {
				next = f
			}
		}
		if next == nil {
			break
		}
		chain = append(chain, next)
		seen[next.ID] = true
		cur = next
	}
	return chain
}

// followed is the flow whose initiator says it followed cur's redirect.
func (s *story) followed(cur *store.Flow, seen map[int64]bool) *store.Flow {
	for _, f := range s.flows {
		if !seen[f.ID] && f.Initiator.Type == store.InitRedirect && f.Initiator.FlowID == cur.ID {
			return f
		}
	}
	return nil
}

func (s *story) connFor(f *store.Flow) *store.Conn { return store.FlowConn(f, s.in.Conns) }

func (s *story) lookupFor(f *store.Flow, c *store.Conn) *store.Lookup {
	return store.FlowLookup(f, c, s.in.Lookups)
}

func errPhase(f *store.Flow) string {
	if f.Error == nil {
		return ""
	}
	return f.Error.Phase
}

// hop tells steps 2 to 7 for the first request of the page. It reports
// whether the story can go on.
func (s *story) hop(f *store.Flow) bool {
	c := s.connFor(f)
	l := s.lookupFor(f, c)
	t := store.ComputeTimings(f, c)
	failed := errPhase(f)
	if failed == store.PhaseProxy {
		s.add("glassbox stopped the request", append(failLines(f.Error), stopLine(failed)), f.ID)
		return false
	}
	if f.ConnReused {
		s.add("Reusing an open connection", []string{s.reuseFact(f, c), reuseLessonFmt}, f.ID)
	} else {
		lines := dnsFacts(f, c, l)
		if l != nil && l.Source == "trace" {
			lines = append(lines, traceLesson)
		}
		lines = append(lines, dnsLesson)
		if s.failedAt(store.PhaseDNS, "Finding the IP address", lines, f) {
			return false
		}
		lines = append(connectFacts(f, c), connectLesson)
		if s.failedAt(store.PhaseConnect, "Connecting", lines, f) {
			return false
		}
		if f.Kind == store.KindTunnel {
			s.add("Inside the tunnel", []string{
				"From here the browser and the server talked through the tunnel: their own TLS handshake, requests and responses, all encrypted. glassbox saw only bytes: " +
					FormatBytes(f.BytesUp) + " up and " + FormatBytes(f.BytesDown) + " down, over " + FormatDuration(f.Duration()) + ".",
				"Steps 4 to 9 happened, but out of sight. To see them, let glassbox intercept this host (remove it from --no-mitm) and trust glassbox's CA in the browser.",
			}, f.ID)
			return false
		}
		title, facts, lesson := tlsFacts(f, c)
		if title != "No encryption" {
			s.lesson("tls", lesson)
		}
		if s.failedAt(store.PhaseTLS, title, append(facts, lesson), f) {
			return false
		}
	}
	lines := requestFacts(f, c, t)
	if why := Initiator(f.Initiator); why != "" && s.single {
		lines = append(lines, "Why: "+why) // a page's story tells why in its own steps
	}
	if s.failedAt(store.PhaseSend, "The request", lines, f) {
		return false
	}
	if s.failedAt(store.PhaseWait, "The server's work", append(waitFacts(f, t), waitLesson), f) {
		return false
	}
	lines = responseFacts(f, t, true)
	if f.Status > 0 {
		lines = append(lines, "What the browser does with it: "+StatusCode(f.Status).Browser)
	}
	lines = append(lines, s.redirectLine(f)...)
	if failed == store.PhaseReceive || failed == store.PhaseClient || (failed != "" && f.Status == 0) {
		lines = append(lines, failLines(f.Error)...)
	}
	s.add("The response", lines, f.ID)
	return f.Status > 0
}

// failedAt adds a step; when the flow failed in this phase it adds the
// failure and the end of the story too, and reports true.
func (s *story) failedAt(phase, title string, lines []string, f *store.Flow) bool {
	if errPhase(f) != phase {
		s.add(title, lines, f.ID)
		return false
	}
	lines = append(lines, failLines(f.Error)...)
	s.add(title, append(lines, stopLine(phase)), f.ID)
	return true
}

// redirectLine says where a redirect sends the browser next.
func (s *story) redirectLine(f *store.Flow) []string {
	target, ok := f.RedirectTarget()
	if !ok {
		return nil
	}
	if upgradesToHTTPS(f.URL, target) {
		return []string{"The server sends the browser from http to the https version of the same address, " + target + "; the next step follows it."}
	}
	return []string{"The browser goes to " + target + " next, on its own: the page's scripts never see a redirect."}
}

func (s *story) reuseFact(f *store.Flow, c *store.Conn) string {
	to := f.ServerAddr
	if c != nil && c.RemoteAddr != "" {
		to = c.RemoteAddr
	}
	if to == "" {
		to = f.Host()
	}
	line := "glassbox already had a connection open to " + to + ", opened for an earlier request through it, so steps 2 to 4 were skipped: no DNS lookup, no TCP handshake, no TLS handshake. (Between the browser and glassbox there is another connection, which glassbox does not time.)"
	if c != nil && !c.ConnectStart.IsZero() && !s.t0.IsZero() {
		if s.single && c.ConnectStart.Before(s.t0) {
			line += " It had been opened " + FormatDuration(s.t0.Sub(c.ConnectStart)) + " before this request, for an earlier one."
		} else if c.ConnectStart.Before(s.t0) {
			line += " It had been opened before this page load began."
		} else {
			line += " It had been opened at +" + FormatDuration(c.ConnectStart.Sub(s.t0)) + " for an earlier request."
		}
	}
	if c != nil && c.TLS != nil && c.TLS.Version != "" {
		line += " It is secured with " + c.TLS.Version
		if c.TLS.ALPN != "" {
			line += " and speaks " + versionName(c.TLS.ALPN)
		}
		line += "."
	}
	return line
}

// redirectHop tells steps 1 to 7 again, briefly, for a request the
// browser made by following a redirect. The last hop is the page itself,
// so its response is told in full.
func (s *story) redirectHop(f *store.Flow, last bool) bool {
	c := s.connFor(f)
	l := s.lookupFor(f, c)
	t := store.ComputeTimings(f, c)
	failed := errPhase(f)
	title := "Following the redirect to " + clip(f.URL, 70)
	lines := []string{"The browser starts over with the new address, so steps 1 to 7 happen again.",
		"URL: " + urlBrief(f) + "."}
	stop := func() bool {
		lines = append(lines, failLines(f.Error)...)
		s.add(title, append(lines, stopLine(failed)), f.ID)
		return false
	}
	if failed == store.PhaseProxy {
		return stop()
	}
	if f.ConnReused {
		lines = append(lines, "Connection: "+s.reuseFact(f, c))
	} else {
		lines = append(lines, labelled("Address", dnsFacts(f, c, l))...)
		if failed == store.PhaseDNS {
			return stop()
		}
		lines = append(lines, labelled("Connection", connectFacts(f, c))...)
		if failed == store.PhaseConnect {
			return stop()
		}
		title, facts, lesson := tlsFacts(f, c)
		lines = append(lines, labelled("Security", facts)...)
		if title != "No encryption" {
			if l := s.lesson("tls", lesson); l != "" {
				lines = append(lines, l)
			}
		}
		if failed == store.PhaseTLS {
			return stop()
		}
	}
	req := "Request: " + requestLine(f, c) + "."
	if names := cookieNames(f.ReqHeaders.Values("Cookie"), false); len(names) > 0 {
		req += " It carried " + Plural(len(names), "cookie") + " (" + nameList(names) + "), values not shown."
	}
	lines = append(lines, req)
	if failed == store.PhaseSend {
		return stop()
	}
	lines = append(lines, labelled("Wait", waitFacts(f, t))...)
	if failed == store.PhaseWait {
		return stop()
	}
	lines = append(lines, labelled("Response", responseFacts(f, t, last))...)
	if last && f.Status > 0 {
		lines = append(lines, "What the browser does with it: "+StatusCode(f.Status).Browser)
	}
	lines = append(lines, s.redirectLine(f)...)
	if failed != "" {
		lines = append(lines, failLines(f.Error)...)
	}
	s.add(title, lines, f.ID)
	return f.Status > 0
}

// labelled prefixes the first line with a label: "Address: ...".
func labelled(label string, lines []string) []string {
	if len(lines) == 0 {
		return nil
	}
	out := append([]string{label + ": " + lines[0]}, lines[1:]...)
	return out
}

// resendFacts says that no browser made this request: glassbox resend
// repeated a recorded one, with or without its credentials as the
// recorded headers show.
func resendFacts(f *store.Flow) []string {
	creds := "It went without the recorded Cookie and Authorization (resend leaves them out unless asked: --with-credentials), so a server that needs them may answer differently."
	if f.ReqHeaders.Get("Cookie") != "" || f.ReqHeaders.Get("Authorization") != "" {
		creds = "It carried the recorded credentials (Cookie or Authorization) again, as the user asked."
	}
	return []string{
		"No browser made this request: glassbox resend sent flow #" + strconv.FormatInt(f.ResendOf, 10) + " again, through glassbox's own resolver and dialer, and recorded the answer as this new flow.",
		creds,
		"Set its timings beside #" + strconv.FormatInt(f.ResendOf, 10) + "'s: a second fetch may find the address in glassbox's DNS cache and the server's own caches warm, so the difference is what was not done again.",
	}
}
