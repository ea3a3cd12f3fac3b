package main

import (
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// The log line's exact text, for every kind of flow and every range of
// sizes and durations it formats differently.
func TestFlowLine(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	us := time.Microsecond
	conn := &store.Conn{ID: 1, DNSStart: at(0), DNSEnd: at(400 * us), ConnectStart: at(400 * us), ConnectEnd: at(520 * us),
		TLSStart: at(520 * us), TLSEnd: at(2600 * us)}
	cases := []struct {
		name string
		f    store.Flow
		c    *store.Conn
		want string
	}{
		{"new connection", store.Flow{ID: 12, Method: "GET", URL: "https://shop.test/app.js", Status: 200,
			RespBody: store.Body{Size: 14540}, Start: at(0), GotConn: at(2600 * us), WroteRequest: at(2700 * us),
			FirstByte: at(14700 * us), End: at(38 * time.Millisecond)}, conn,
			"#12   GET     https://shop.test/app.js 200 14.2KB 38ms  dns 0.40ms connect 0.12ms tls 2.1ms wait 12ms recv 23ms"},
		{"reused", store.Flow{ID: 13, Method: "GET", URL: "https://shop.test/logo.png", Status: 200, ConnReused: true,
			RespBody: store.Body{Size: 3174}, Start: at(0), GotConn: at(10 * us), WroteRequest: at(600 * us),
			FirstByte: at(3800 * us), End: at(4100 * us)}, nil,
			"#13   GET     https://shop.test/logo.png 200 3.1KB 4.1ms  reused wait 3.2ms recv 0.30ms"},
		{"tunnel", store.Flow{ID: 123456, Kind: store.KindTunnel, Method: "CONNECT", URL: "bank.test:443",
			BytesUp: 900, BytesDown: 3 << 20, Start: at(0), End: at(12 * time.Second)}, nil,
			"#123456 CONNECT bank.test:443 --- 3.0MB 12.0s  tunnel: 900B up, 3.0MB down"},
		{"error", store.Flow{ID: 7, Method: "OPTIONS", URL: "http://dead.test/", Start: at(0), End: at(1500 * us),
			Error: &store.FlowError{Phase: "connect", Kind: "refused", Message: "connection refused"}}, nil,
			"#7    OPTIONS http://dead.test/ --- 0B 1.5ms  error: "},
		{"huge", store.Flow{ID: 1, Method: "GET", URL: "http://x.test/big", Status: 206, RespBody: store.Body{Size: 5 << 30},
			Start: at(0), GotConn: at(0), WroteRequest: at(0), FirstByte: at(time.Second), End: at(9 * time.Second)}, nil,
			"#1    GET     http://x.test/big 206 5.00GB 9000ms  wait 1000ms recv 8000ms"},
	}
	for _, c := range cases {
		got := flowLine(&c.f, c.c)
		if c.f.Error != nil {
			if len(got) < len(c.want) || got[:len(c.want)] != c.want || len(got) == len(c.want) {
				t.Errorf("%s:\n got %q\nwant %q followed by the error's summary", c.name, got, c.want)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func BenchmarkFlowLine(b *testing.B) {
	t0 := time.Unix(1700000000, 0)
	f := &store.Flow{ID: 4242, Method: "GET", URL: "https://shop.test/static/app.3f9a.js", Status: 200, ConnReused: true,
		RespBody: store.Body{Size: 14540}, Start: t0, GotConn: t0.Add(10 * time.Microsecond), WroteRequest: t0.Add(60 * time.Microsecond),
		FirstByte: t0.Add(900 * time.Microsecond), End: t0.Add(1100 * time.Microsecond)}
	b.ReportAllocs()
	for b.Loop() {
		_ = flowLine(f, nil)
	}
}
