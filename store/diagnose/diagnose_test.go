package diagnose_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/diagnose"
)

type diagnoseInput = diagnose.Input

func kinds(d diagnose.Diagnosis) []string {
	var out []string
	for _, f := range d.Findings {
		out = append(out, f.Kind)
	}
	return out
}

func TestGoodPageHasNoFindings(t *testing.T) {
	d := diagnose.Diagnose(goodPage())
	if len(d.Findings) != 0 {
		t.Fatalf("a page built fast got findings %v: %+v", kinds(d), d.Findings)
	}
	// One lookup, one TCP handshake, TLS 1.3's one, three requests.
	want := diagnose.RoundTrips{Total: 6, DNS: 1, TCP: 1, TLS: 1, Requests: 3}
	if d.RoundTrips != want {
		t.Errorf("RoundTrips = %+v, want %+v", d.RoundTrips, want)
	}
	if d.Span != 40*time.Millisecond {
		t.Errorf("Span = %v, want 40ms", d.Span)
	}
}

// TestFindings makes the good page bad in one way per row and expects
// that finding, about those flows.
func TestFindings(t *testing.T) {
	tests := []struct {
		name   string
		spoil  func(in *diagnose.Input)
		kind   string
		flows  []int64
		inText string // a word the finding's title or evidence must hold
	}{
		{"redirect-chain", func(in *diagnose.Input) {
			r := flow(10, 1, false, "http://fast.test/", "document", -5, -1, headers("Location", "https://fast.test/"), 0)
			r.Status, r.Initiator = 301, store.Initiator{Type: store.InitNavigation}
			in.Flows[0].Initiator = store.Initiator{Type: store.InitRedirect, FlowID: 10}
			in.Flows = append(in.Flows, r)
		}, diagnose.KindRedirectChain, []int64{10}, "#10 301"},
		{"lookup-missed-cache", func(in *diagnose.Input) {
			in.Flows[2].ConnID, in.Flows[2].ConnReused, in.Flows[2].URL = 2, false, "https://img.test/a.png"
			in.Conns[2] = conn(2, "img.test", 2, 26)
			in.Lookups[2] = lookup(2, "img.test", "network", 26)
		}, diagnose.KindLookupMissed, []int64{1, 3}, "img.test"},
		{"lookup-from-cache-is-no-finding", func(in *diagnose.Input) {
			in.Flows[2].ConnID, in.Flows[2].ConnReused, in.Flows[2].URL = 2, false, "https://img.test/a.png"
			in.Conns[2] = conn(2, "img.test", 2, 26)
			in.Lookups[2] = lookup(2, "img.test", "cache", 26)
		}, "", nil, ""},
		{"connection-not-reused", func(in *diagnose.Input) {
			in.Flows[2] = flow(3, 2, false, "https://fast.test/a.png", "image", 50, 60, in.Flows[2].RespHeaders, 5000)
			in.Flows[1].RespHeaders = append(in.Flows[1].RespHeaders, store.Header{Name: "Connection", Value: "close"})
			in.Conns[1].Closed = at(41)
			in.Conns[2] = conn(2, "fast.test", 0, 50)
		}, diagnose.KindConnNotReused, []int64{3}, "Connection: close"},
		{"parallel-connections-are-not-unreused", func(in *diagnose.Input) {
			in.Flows[2].ConnID, in.Flows[2].ConnReused = 2, false // the first was busy with #2
			in.Conns[2] = conn(2, "fast.test", 0, 26)
		}, "", nil, ""},
		{"many-connections", func(in *diagnose.Input) {
			for i := int64(0); i < 4; i++ {
				f := flow(3+i, 2+i, false, "https://img.test/"+string(rune('a'+i))+".png", "image", 26, 35, in.Flows[2].RespHeaders, 5000)
				in.Conns[2+i] = conn(2+i, "img.test", 0, 26)
				if i == 0 {
					in.Flows[2] = f
				} else {
					in.Flows = append(in.Flows, f)
				}
			}
		}, diagnose.KindManyConns, []int64{3, 4, 5, 6}, "img.test:443"},
		{"queued-in-the-browser", func(in *diagnose.Input) {
			in.Flows = in.Flows[:2]
			for i := int64(0); i < 7; i++ {
				start, end := 26.0, 36.0+float64(i)
				if i == 6 {
					start, end = 36.5, 45 // reached glassbox only as #3 ended
				}
				f := flow(3+i, 2, i > 0, "http://img.test/"+string(rune('a'+i))+".png", "image", start, end, in.Flows[0].RespHeaders, 900)
				f.Proto, f.OriginProto = "HTTP/1.1", "HTTP/1.1"
				in.Flows = append(in.Flows, f)
			}
			in.Conns[2] = conn(2, "img.test", 0, 26)
		}, diagnose.KindQueued, []int64{9}, "in flight"},
		{"queued-in-glassbox", func(in *diagnose.Input) {
			f := &in.Flows[2]
			f.OriginProto, f.GotConn, f.WroteRequest, f.FirstByte, f.End = "HTTP/1.1", at(90), at(90.1), at(91), at(95)
		}, diagnose.KindQueued, []int64{3}, "HTTP/1.1"},
		{"tls12-extra-round-trip", func(in *diagnose.Input) {
			in.Conns[1].TLS.Version = "TLS 1.2"
		}, diagnose.KindTLS12, []int64{1}, "TLS 1.2"},
		{"slow-server", func(in *diagnose.Input) {
			in.Flows[1].FirstByte, in.Flows[1].End = at(325), at(330)
		}, diagnose.KindSlowServer, []int64{2}, "round trip"},
		{"render-blocking", func(in *diagnose.Input) {
			in.Flows[0].RespBody.Data = []byte(strings.Replace(goodHTML, "defer ", "", 1))
		}, diagnose.KindRenderBlocking, []int64{2}, "#2 script"},
		{"uncompressed-text", func(in *diagnose.Input) {
			in.Flows[1].RespHeaders = headers("Content-Type", "text/plain", "ETag", `"t"`)
			in.Flows[1].RespBody.Size = 500 << 10
		}, diagnose.KindUncompressed, []int64{2}, "Accept-Encoding"},
		{"small-uncompressed-text-is-no-finding", func(in *diagnose.Input) {
			in.Flows[1].RespHeaders = headers("Content-Type", "text/plain", "ETag", `"t"`)
			in.Flows[1].RespBody.Size = 2 << 10
		}, "", nil, ""},
		{"no-cache-validator", func(in *diagnose.Input) {
			in.Flows[2].RespHeaders = headers("Content-Type", "image/png")
		}, diagnose.KindNoValidator, []int64{3}, "ETag"},
		{"no-store", func(in *diagnose.Input) {
			in.Flows[2].RespHeaders = append(in.Flows[2].RespHeaders, store.Header{Name: "Cache-Control", Value: "private, no-store"})
		}, diagnose.KindNoStore, []int64{3}, "no-store"},
		{"downloaded-again", func(in *diagnose.Input) {
			before := flow(3, 1, true, "https://fast.test/a.png", "image", -900, -890, headers("Content-Type", "image/png"), 5000)
			in.Previous = []store.Flow{before}
			in.Flows[2].ID = 13
		}, diagnose.KindDownloadedAgain, []int64{13}, "first #3"},
		{"large-image", func(in *diagnose.Input) {
			in.Flows[2].RespBody.Size = 300 << 10
		}, diagnose.KindLargeImage, []int64{3}, "100×100"},
		{"large-image-shown-large-is-no-finding", func(in *diagnose.Input) {
			in.Flows[2].RespBody.Size = 300 << 10
			in.Flows[0].RespBody.Data = []byte(strings.Replace(goodHTML, `width="100" height="100"`, `width="1200" height="900"`, 1))
		}, "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := goodPage()
			tt.spoil(&in)
			d := diagnose.Diagnose(in)
			if tt.kind == "" {
				if len(d.Findings) != 0 {
					t.Fatalf("got findings %v, want none: %+v", kinds(d), d.Findings)
				}
				return
			}
			var got *diagnose.Finding
			for i := range d.Findings {
				if d.Findings[i].Kind == tt.kind {
					got = &d.Findings[i]
				}
			}
			if got == nil {
				t.Fatalf("no %s finding; got %v", tt.kind, kinds(d))
			}
			if !reflect.DeepEqual(got.FlowIDs, tt.flows) {
				t.Errorf("%s is about flows %v, want %v", tt.kind, got.FlowIDs, tt.flows)
			}
			if text := got.Title + " " + got.Evidence; !strings.Contains(text, tt.inText) {
				t.Errorf("%s says %q, want it to mention %q", tt.kind, text, tt.inText)
			}
			if got.Fix == "" || len(got.Numbers) == 0 {
				t.Errorf("%s has no fix or no numbers: %+v", tt.kind, got)
			}
		})
	}
}

// TestCriticalPath: a document, a script it names, two scripts that load
// one another, and the API call the last one makes; an image on the side.
func TestCriticalPath(t *testing.T) {
	in := goodPage()
	hdr := in.Flows[1].RespHeaders
	b := flow(4, 1, true, "https://fast.test/b.js", "script", 45, 60, hdr, 900)
	c := flow(5, 1, true, "https://fast.test/c.js", "script", 62, 80, hdr, 900)
	api := flow(6, 1, true, "https://fast.test/api", "fetch", 81, 100, hdr, 100)
	for _, f := range []*store.Flow{&b, &c, &api} {
		f.Initiator = store.Initiator{Type: store.InitScript}
	}
	in.Flows = append(in.Flows, b, c, api)
	d := diagnose.Diagnose(in)
	var ids []int64
	var inferred []bool
	var share float64
	for _, s := range d.CriticalPath {
		ids = append(ids, s.FlowID)
		inferred = append(inferred, s.Inferred)
		share += s.Share
	}
	if want := []int64{1, 2, 4, 5, 6}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("critical path %v, want %v", ids, want)
	}
	// The parser's reference is recorded; a script's request names none.
	if want := []bool{false, false, true, true, true}; !reflect.DeepEqual(inferred, want) {
		t.Errorf("inferred %v, want %v", inferred, want)
	}
	if share < 0.99 || share > 1.01 {
		t.Errorf("the path's shares add up to %.3f, want 1 (it runs from the start to the last end)", share)
	}
	if g := d.CriticalPath[2].Gap; g != 5*time.Millisecond {
		t.Errorf("b.js started %v after app.js ended, want 5ms", g)
	}
	if d.CriticalPath[4].Phase != store.PhaseReceive {
		t.Errorf("the API call's main phase is %q, want receive", d.CriticalPath[4].Phase)
	}
	var wait time.Duration
	for _, p := range d.ByPhase {
		if p.Phase == store.PhaseWait {
			wait = p.Total
		}
	}
	if wait != 6*time.Millisecond { // six requests, a millisecond each
		t.Errorf("wait over the page = %v, want 6ms", wait)
	}
}

func TestHeadline(t *testing.T) {
	good := diagnose.Diagnose(goodPage())
	if h := good.Headline(); !strings.Contains(h, "nothing to fix") || !strings.Contains(h, "40 ms") {
		t.Errorf("good page's headline %q", h)
	}
	in := goodPage()
	in.Conns[1].TLS.Version = "TLS 1.2"
	if h := diagnose.Diagnose(in).Headline(); !strings.Contains(h, "One thing would make it faster") {
		t.Errorf("headline with one finding: %q", h)
	}
	if s := good.RoundTrips.String(); s != "6 (1 DNS, 1 TCP, 1 TLS, 3 requests)" {
		t.Errorf("round trips %q", s)
	}
}
