package main_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	jsonv2 "github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// The browser's own record of its requests, read from the DevTools
// protocol while the scenarios run: every tab (iframes included: the
// suite turns site isolation off, so a cross-site iframe stays in its
// tab's target) and every service worker, attached while it waits to
// start so its first request is seen. Downloads started by <a download>
// reach no Network domain; Browser.downloadWillBegin names them.

// pageKey is one top-level page load: a tab's main-frame document, named
// by its DevTools loader ID. The zero key is "no page".
type pageKey struct {
	tab    string
	loader cdp.LoaderID
}

// seen is one request hop as the browser reported it (a redirect makes a
// new hop with the same request ID).
type seen struct {
	Class  string // the scenario class running when it was sent
	Source string // "tab1", "tab2"... or "worker" (a service worker)
	Seq    int    // arrival order across all sources
	ID     network.RequestID
	Loader cdp.LoaderID
	Frame  cdp.FrameID
	Method string
	URL    string
	Type   network.ResourceType
	Init   network.Initiator
	// Purpose is the Sec-Purpose header sent ("prefetch" for a prefetch),
	// from requestWillBeSentExtraInfo.
	Purpose string
	Referer string
	Prev    *seen // the hop whose redirect this one follows
	// Nav marks a main-frame document request (a navigation); Before is the
	// page the tab showed when it began, where the request stays when it
	// never commits (a download).
	Nav    bool
	Page   pageKey
	Before pageKey
	MIME   string
	// Cached: answered by the browser's memory, disk or prefetch cache;
	// FromSW: answered by a service worker. Neither reached the proxy.
	Cached, FromSW bool
	// Download: no Network event, only Browser.downloadWillBegin.
	Download bool
	// Owner is, for a worker's request, the page that was open in the tab
	// that started the worker.
	Owner pageKey
	// Wire is what the browser says crossed its side of the proxy for this
	// hop (fidelity_test.go compares it with glassbox's record).
	Wire hopWire
}

// hopWire is one hop's exchange as the browser saw it on the wire. The
// ExtraInfo events carry the raw heads; a request with redirects has one
// of each per hop, given out in order (record).
type hopWire struct {
	// ReqHeaders: requestWillBeSentExtraInfo, the head as sent (HTTP/2
	// pseudo-header fields included; an object: no order).
	ReqHeaders network.Headers
	// Protocol ("h2", "http/1.1"), Status and Headers: responseReceived
	// (a redirect hop's from the next hop's redirectResponse).
	Protocol string
	Status   int64
	// Extra is responseReceivedExtraInfo: the head as received, each
	// name's values joined by "\n" (HeadersText is the HTTP/1 head itself).
	Extra *network.EventResponseReceivedExtraInfo
	// Decoded and Encoded are the sums of dataReceived: the body's bytes
	// after content decoding, and those that came (framing included).
	Decoded, Encoded int64
	Finished         bool
	Failed           string
}

// devtools records what the browser says while the scenarios run.
type devtools struct {
	t     *testing.T
	bctx  context.Context // the first tab's context: the browser
	mu    sync.Mutex
	class string
	seq   int
	reqs  []*seen
	hops  map[string]*seen // source/requestID -> latest hop
	open  map[string]bool  // source/requestID -> in flight
	// purpose: the Sec-Purpose of requests whose requestWillBeSentExtraInfo
	// came before their requestWillBeSent (the protocol allows either order).
	purpose map[string]string
	// chains: source/requestID -> its hops in order; extraReq, extraResp:
	// its ExtraInfo events in order, matched to the hops at record.
	chains    map[string][]*seen
	extraReq  map[string][]network.Headers
	extraResp map[string][]*network.EventResponseReceivedExtraInfo
	// mainFrame: tab -> its main frame; current: tab -> the committed
	// page; committed: every main-frame loader that committed, with its URL.
	mainFrame map[string]cdp.FrameID
	current   map[string]pageKey
	committed map[pageKey]string
	// workers: the service workers seen (target -> the page that started
	// them); sessions: our sessions to them; attaching: the goroutines
	// opening them.
	workers   map[target.ID]pageKey
	sessions  map[target.SessionID]target.ID
	attaching sync.WaitGroup
	last      time.Time
	poke      chan struct{}
}

func newDevtools(t *testing.T, bctx context.Context) *devtools {
	d := &devtools{t: t, bctx: bctx, hops: map[string]*seen{}, open: map[string]bool{}, purpose: map[string]string{},
		chains: map[string][]*seen{}, extraReq: map[string][]network.Headers{}, extraResp: map[string][]*network.EventResponseReceivedExtraInfo{},
		mainFrame: map[string]cdp.FrameID{}, current: map[string]pageKey{}, committed: map[pageKey]string{},
		workers: map[target.ID]pageKey{}, sessions: map[target.SessionID]target.ID{}, poke: make(chan struct{}, 1)}
	err := chromedp.ListenBrowser(bctx, d.onBrowserEvent)
	if err == nil {
		yes := true
		_, err = chromedp.CallBrowser(bctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: t.TempDir(), EventsEnabled: &yes})
	}
	if err != nil {
		t.Fatalf("devtools: %v", err)
	}
	return d
}

// setClass names the scenario class the requests sent from now on belong to.
func (d *devtools) setClass(c string) {
	d.mu.Lock()
	d.class = c
	d.mu.Unlock()
}

// watch records the tab of ctx under name, and attaches every service
// worker it starts (paused until its Network domain is on).
func (d *devtools) watch(ctx context.Context, name string) {
	d.t.Helper()
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		d.t.Fatalf("tab %s: %v", name, err)
	}
	d.mu.Lock()
	d.mainFrame[name] = cdp.FrameID(chromedp.FromContext(ctx).Target.TargetID)
	d.mu.Unlock()
	err := chromedp.Listen(ctx, func(ev any) { d.onTabEvent(ctx, name, ev) })
	if err == nil {
		_, err = chromedp.Call(ctx, target.SetAutoAttach, target.SetAutoAttachParams{AutoAttach: true,
			WaitForDebuggerOnStart: true, Flatten: new(true), Filter: target.Filter{{Type: "service_worker"}}})
	}
	if err != nil {
		d.t.Fatalf("tab %s: %v", name, err)
	}
}

func (d *devtools) onTabEvent(ctx context.Context, tab string, ev any) {
	switch e := ev.(type) {
	case *page.EventFrameNavigated:
		if e.Frame.ParentID == "" {
			d.mu.Lock()
			k := pageKey{tab, e.Frame.LoaderID}
			d.current[tab], d.committed[k] = k, e.Frame.URL
			d.mu.Unlock()
			d.touch()
		}
	case *target.EventAttachedToTarget:
		if e.TargetInfo.Type == "service_worker" {
			d.mu.Lock()
			_, known := d.workers[e.TargetInfo.TargetID]
			if !known {
				d.workers[e.TargetInfo.TargetID] = d.current[tab]
			}
			d.mu.Unlock()
			d.attaching.Go(func() { d.attachWorker(ctx, e, !known) })
		}
	default:
		d.onNetwork(tab, pageKey{}, ev)
	}
}

// attachWorker opens a session of our own to a service worker the first
// time it is seen (first): a non-flat one, whose messages come as
// Target.receivedMessageFromTarget events of the browser (chromedp routes
// only the sessions it made). Its Network domain is on before the worker
// runs: then the auto-attached session that holds it is let go.
func (d *devtools) attachWorker(ctx context.Context, e *target.EventAttachedToTarget, first bool) {
	fail := func(what string, err error) {
		if d.bctx.Err() == nil { // not the browser closing
			d.t.Errorf("service worker %s: %s: %v", e.TargetInfo.URL, what, err)
		}
	}
	if first {
		res, err := chromedp.CallBrowser(d.bctx, target.AttachToTarget, target.AttachToTargetParams{TargetID: e.TargetInfo.TargetID, Flatten: new(false)})
		if err != nil {
			fail("attaching", err)
		} else {
			d.mu.Lock()
			d.sessions[res.SessionID] = e.TargetInfo.TargetID
			d.mu.Unlock()
			for i, m := range []string{"Network.enable", "Runtime.runIfWaitingForDebugger"} {
				msg := fmt.Sprintf(`{"id":%d,"method":%q,"params":{}}`, i+1, m)
				if _, err := chromedp.CallBrowser(d.bctx, sendMessageToTarget, sendMessageParams{SessionID: res.SessionID, Message: msg}); err != nil {
					fail(m, err)
				}
			}
		}
	}
	if e.WaitingForDebugger {
		if _, err := chromedp.Call(ctx, target.DetachFromTarget, target.DetachFromTargetParams{SessionID: e.SessionID}); err != nil {
			fail("releasing", err)
		}
	}
}

// sendMessageToTarget is the command of a non-flat session, which cdproto
// no longer lists (it is deprecated, and still served).
var sendMessageToTarget = cdp.Command[sendMessageParams, cdp.Empty]{Method: "Target.sendMessageToTarget"}

type sendMessageParams struct {
	SessionID target.SessionID `json:"sessionId"`
	Message   string           `json:"message"`
}

func (d *devtools) onBrowserEvent(ev any) {
	switch e := ev.(type) {
	case *target.EventReceivedMessageFromTarget:
		d.mu.Lock()
		w, ours := d.sessions[e.SessionID]
		owner := d.workers[w]
		d.mu.Unlock()
		var m cdproto.Message
		if !ours || jsonv2.Unmarshal([]byte(e.Message), &m) != nil || m.Method == "" {
			return // another session's, or a reply
		}
		if v, err := cdproto.UnmarshalMessage(&m, chromedp.DefaultUnmarshalOptions); err == nil {
			d.onNetwork("worker", owner, v)
		}
	case *browser.EventDownloadWillBegin:
		d.download(e)
	}
}

// download records an <a download> request, which no Network domain
// reports; a navigation that turned into a download was reported already.
func (d *devtools) download(e *browser.EventDownloadWillBegin) {
	d.mu.Lock()
	defer d.mu.Unlock()
	tab := ""
	for name, f := range d.mainFrame {
		if f == e.FrameID {
			tab = name
		}
	}
	for i := len(d.reqs) - 1; i >= 0; i-- {
		if r := d.reqs[i]; r.Source == tab && r.URL == e.URL && r.Nav {
			return
		}
	}
	d.seq++
	d.reqs = append(d.reqs, &seen{Class: d.class, Source: tab, Seq: d.seq, Frame: e.FrameID, Method: "GET",
		URL: e.URL, Download: true, Page: d.current[tab]})
	d.touchLocked()
}

// onNetwork takes the Network events of a tab, or of a worker started
// while page owner was open.
func (d *devtools) onNetwork(src string, owner pageKey, ev any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		d.request(src, e).Owner = owner
	case *network.EventRequestWillBeSentExtraInfo:
		d.extraReq[src+"/"+string(e.RequestID)] = append(d.extraReq[src+"/"+string(e.RequestID)], e.Headers)
		for k, v := range e.Headers {
			if !strings.EqualFold(k, "Sec-Purpose") && !strings.EqualFold(k, "Purpose") {
				continue
			}
			if r := d.hops[src+"/"+string(e.RequestID)]; r != nil && r.Purpose == "" {
				r.Purpose = fmt.Sprint(v)
			} else {
				d.purpose[src+"/"+string(e.RequestID)] = fmt.Sprint(v)
			}
		}
	case *network.EventRequestServedFromCache:
		if r := d.hops[src+"/"+string(e.RequestID)]; r != nil {
			r.Cached = true
		}
	case *network.EventResponseReceivedExtraInfo:
		d.extraResp[src+"/"+string(e.RequestID)] = append(d.extraResp[src+"/"+string(e.RequestID)], e)
	case *network.EventResponseReceived:
		if r := d.hops[src+"/"+string(e.RequestID)]; r != nil {
			r.MIME = e.Response.MimeType
			r.Cached = r.Cached || e.Response.FromDiskCache || e.Response.FromPrefetchCache
			r.FromSW = e.Response.FromServiceWorker
			r.Wire.Protocol, r.Wire.Status = e.Response.Protocol, e.Response.Status
		}
	case *network.EventDataReceived:
		if r := d.hops[src+"/"+string(e.RequestID)]; r != nil {
			r.Wire.Decoded += e.DataLength
			r.Wire.Encoded += e.EncodedDataLength
		}
	case *network.EventLoadingFinished:
		delete(d.open, src+"/"+string(e.RequestID))
		if r := d.hops[src+"/"+string(e.RequestID)]; r != nil {
			r.Wire.Finished = true
		}
	case *network.EventLoadingFailed:
		delete(d.open, src+"/"+string(e.RequestID))
		if r := d.hops[src+"/"+string(e.RequestID)]; r != nil {
			r.Wire.Failed = e.ErrorText
		}
	default:
		return
	}
	d.touchLocked()
}

func (d *devtools) request(src string, e *network.EventRequestWillBeSent) *seen {
	key := src + "/" + string(e.RequestID)
	d.seq++
	r := &seen{Class: d.class, Source: src, Seq: d.seq, ID: e.RequestID, Loader: e.LoaderID, Frame: e.FrameID,
		Method: e.Request.Method, URL: e.Request.URL + e.Request.URLFragment, Type: e.Type}
	if e.Initiator != nil {
		r.Init = *e.Initiator
	}
	if ref, ok := e.Request.Headers["Referer"]; ok {
		r.Referer = fmt.Sprint(ref)
	}
	r.Purpose = d.purpose[key]
	delete(d.purpose, key)
	if prev := d.hops[key]; prev != nil && e.RedirectResponse != nil {
		r.Prev, r.Class = prev, prev.Class
		prev.Wire.Protocol, prev.Wire.Status = e.RedirectResponse.Protocol, e.RedirectResponse.Status
	}
	d.chains[key] = append(d.chains[key], r)
	if main, ok := d.mainFrame[src]; ok {
		r.Nav = e.Type == network.ResourceTypeDocument && e.FrameID == main
		switch {
		case r.Prev != nil:
			r.Page, r.Before = r.Prev.Page, r.Prev.Before
		case r.Nav:
			r.Page, r.Before = pageKey{src, e.LoaderID}, d.current[src]
		case r.Init.Type == network.InitiatorTypePreflight && d.hops[src+"/"+string(r.Init.RequestID)] != nil:
			r.Page = d.hops[src+"/"+string(r.Init.RequestID)].Page
		case e.FrameID == main:
			r.Page = pageKey{src, e.LoaderID}
		default: // an iframe's request, a preflight: the page the tab shows
			r.Page = d.current[src]
		}
	}
	d.reqs = append(d.reqs, r)
	d.hops[key] = r
	d.open[key] = true
	return r
}

func (d *devtools) touch() {
	d.mu.Lock()
	d.touchLocked()
	d.mu.Unlock()
}

func (d *devtools) touchLocked() {
	d.last = time.Now()
	select {
	case d.poke <- struct{}{}:
	default:
	}
}

// quietFor is how long the browser must report nothing, with no request
// in flight, for its network to count as quiet: long enough for a
// script's follow-up request or a font the layout asks for, which come
// within a few milliseconds of the response that causes them.
const quietFor = 400 * time.Millisecond

// quiet waits until the browser's network has gone quiet, or fails the
// test after limit, naming what is still in flight.
func (d *devtools) quiet(limit time.Duration) {
	d.t.Helper()
	deadline := time.After(limit)
	for {
		d.mu.Lock()
		n, idle := len(d.open), time.Since(d.last)
		d.mu.Unlock()
		if n == 0 && idle >= quietFor {
			return
		}
		wait := quietFor - idle
		if n > 0 || wait <= 0 {
			wait = quietFor
		}
		select {
		case <-d.poke:
		case <-time.After(wait):
		case <-deadline:
			d.t.Fatalf("the browser's network did not go quiet in %v; in flight: %s", limit, d.inFlight())
		}
	}
}

func (d *devtools) inFlight() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for k := range d.open {
		if r := d.hops[k]; r != nil {
			out = append(out, r.Method+" "+r.URL)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// record hands over what was recorded; call it once the browser is closed.
func (d *devtools) record() browserRecord {
	d.attaching.Wait()
	d.mu.Lock()
	defer d.mu.Unlock()
	for key, chain := range d.chains {
		reqs, resps := d.extraReq[key], d.extraResp[key]
		for _, r := range chain {
			if r.Cached || r.FromSW {
				continue // no ExtraInfo: nothing crossed the wire
			}
			if len(reqs) > 0 {
				r.Wire.ReqHeaders, reqs = reqs[0], reqs[1:]
			}
			if r.Wire.Status != 0 && len(resps) > 0 {
				r.Wire.Extra, resps = resps[0], resps[1:]
			}
		}
	}
	return browserRecord{reqs: d.reqs, committed: d.committed}
}

// find returns the first request reported so far that ok accepts.
func (d *devtools) find(ok func(*seen) bool) *seen {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range d.reqs {
		if ok(r) {
			return r
		}
	}
	return nil
}

// await waits until the browser reported a request that ok accepts, or
// fails the test after limit.
func (d *devtools) await(limit time.Duration, what string, ok func(*seen) bool) {
	d.t.Helper()
	deadline := time.After(limit)
	for d.find(ok) == nil {
		select {
		case <-d.poke:
		case <-deadline:
			d.t.Fatalf("the browser did not report %s in %v", what, limit)
		}
	}
}
