package main_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserWebSocketMessages: Chromium talks to an echoing WebSocket
// (with permessage-deflate, which it offers) and reads an event stream,
// through glassbox; the HAR export holds every message both ways and
// every event, as Chrome's own export shapes them.
func TestBrowserWebSocketMessages(t *testing.T) {
	browser := chromium(t)
	s := startSite(t)
	home := t.TempDir()
	p, ctx := proxiedBrowser(t, browser, home, s.dnsAddr, s.caFile)
	sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err := chromedp.Do(sctx,
		chromedp.Navigate(s.url("https", "shop.test", "/live/")),
		chromedp.Poll[chromedp.Void](`document.getElementById("status").textContent.startsWith("done")`, chromedp.WithPollingTimeout(40*time.Second)),
	)
	var status string
	if err == nil {
		status, err = chromedp.Run(sctx, chromedp.Text("#status"))
	}
	if err != nil {
		t.Fatalf("the live page: %v (status %q)\nglassbox log:\n%s", err, status, p.logText())
	}
	if status != "done: 3 echoes, 2 ticks, last" {
		t.Fatalf("the page says %q", status)
	}
	chromedp.Cancel(ctx)
	p.stop(t)

	raw, errOut, code := glassbox(t, home, "export", "--format", "har")
	if code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	type wsMsg struct {
		Type       string  `json:"type"`
		Time       float64 `json:"time"`
		Opcode     int     `json:"opcode"`
		Data       string  `json:"data"`
		Compressed bool    `json:"_compressed"`
	}
	var doc struct {
		Log struct {
			Entries []struct {
				Request struct{ URL string } `json:"request"`
				WS      []wsMsg              `json:"_webSocketMessages"`
				Events  []map[string]any     `json:"_eventSourceMessages"`
				Resp    struct{ Status int } `json:"response"`
			} `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	var ws []wsMsg
	var events []map[string]any
	for _, e := range doc.Log.Entries {
		switch {
		case strings.HasPrefix(e.Request.URL, "wss://shop.test:") && strings.HasSuffix(e.Request.URL, "/live/echo"):
			ws = e.WS
		case strings.HasSuffix(e.Request.URL, "/live/events"):
			events = e.Events
		}
	}
	long := strings.Repeat("glassbox ", 300)[:1024]
	want := []wsMsg{
		{Type: "send", Opcode: 1, Data: "hello"}, {Type: "send", Opcode: 1, Data: long}, {Type: "send", Opcode: 2, Data: "AQID+g=="},
		{Type: "receive", Opcode: 1, Data: "hello"}, {Type: "receive", Opcode: 1, Data: long}, {Type: "receive", Opcode: 2, Data: "AQID+g=="},
		{Type: "send", Opcode: 8, Data: "A+hkb25l"}, {Type: "receive", Opcode: 8, Data: "A+hkb25l"},
	}
	// The order of the two directions depends on timing: compare each
	// direction's messages in order.
	for _, dir := range []string{"send", "receive"} {
		var got, exp []wsMsg
		for _, m := range ws {
			if m.Type == dir {
				if m.Time < 1e9 {
					t.Errorf("message without a time: %+v", m)
				}
				m.Time, m.Compressed = 0, false
				got = append(got, m)
			}
		}
		for _, m := range want {
			if m.Type == dir {
				exp = append(exp, m)
			}
		}
		if len(got) != len(exp) {
			t.Fatalf("%s: %d messages, want %d: %+v", dir, len(got), len(exp), ws)
		}
		for i := range exp {
			if got[i] != exp[i] {
				t.Errorf("%s message %d: %+v, want %+v", dir, i, got[i], exp[i])
			}
		}
	}
	compressed := 0
	for _, m := range ws {
		if m.Compressed {
			compressed++
		}
	}
	if compressed == 0 {
		t.Errorf("no message crossed compressed, though both sides agreed on permessage-deflate: %+v", ws)
	}
	if len(events) != 3 || events[0]["eventName"] != "tick" || events[0]["data"] != "one" || events[1]["eventId"] != "2" ||
		events[2]["eventName"] != "message" || events[2]["data"] != "last" {
		t.Errorf("_eventSourceMessages: %v", events)
	}
}
