package main

import (
	"strconv"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

// flowLine is the one log line per flow of `glassbox proxy`: what was
// asked, what came back, and where the time went.
func flowLine(f *store.Flow, c *store.Conn) string {
	return string(appendFlowLine(make([]byte, 0, 160), f, c))
}

// appendFlowLine writes the log line with appends, not fmt: it runs for
// every request, and fmt's Sprintf calls were most of the line's cost
// (BenchmarkFlowLine).
func appendFlowLine(b []byte, f *store.Flow, c *store.Conn) []byte {
	b = append(b, '#')
	start := len(b)
	b = padRight(strconv.AppendInt(b, f.ID, 10), start, 4)
	b = append(b, ' ')
	start = len(b)
	b = padRight(append(b, f.Method...), start, 7)
	b = append(b, ' ')
	b = append(b, f.URL...)
	b = append(b, ' ')
	if f.Status > 0 {
		b = strconv.AppendInt(b, int64(f.Status), 10)
	} else {
		b = append(b, "---"...)
	}
	b = append(b, ' ')
	b = appendBytes(b, f.RespBody.Size+f.BytesDown)
	b = append(b, ' ')
	b = appendDuration(b, f.Duration())
	if f.Kind == store.KindTunnel {
		b = append(b, "  tunnel: "...)
		b = appendBytes(b, f.BytesUp)
		b = append(b, " up, "...)
		b = appendBytes(b, f.BytesDown)
		b = append(b, " down"...)
	} else {
		b = appendPhases(b, f, c)
	}
	if f.Error != nil {
		b = append(b, "  error: "...)
		b = append(b, explain.Summary(f.Error)...)
	}
	return b
}

// padRight pads what b holds past start with spaces to width, as %-Nd and
// %-Ns do.
func padRight(b []byte, start, width int) []byte {
	for n := len(b) - start; n < width; n++ {
		b = append(b, ' ')
	}
	return b
}

// appendPhases appends "  dns 0.4ms connect 0.1ms tls 2.1ms wait 12ms recv
// 3ms", or "  reused wait 3ms recv 1ms" on a kept-alive connection.
func appendPhases(b []byte, f *store.Flow, c *store.Conn) []byte {
	t := store.ComputeTimings(f, c)
	first := true
	sep := func() {
		if first {
			b = append(b, "  "...)
			first = false
		} else {
			b = append(b, ' ')
		}
	}
	if f.ConnReused {
		sep()
		b = append(b, "reused"...)
	}
	add := func(name string, d time.Duration) {
		if d >= 0 && (d > 0 || name == "wait") {
			sep()
			b = append(b, name...)
			b = append(b, ' ')
			b = appendDuration(b, d)
		}
	}
	if t.DNS >= 0 {
		add("dns", t.DNS)
	}
	if t.Connect >= 0 {
		add("connect", t.Connect-max(t.SSL, 0))
	}
	if t.SSL >= 0 {
		add("tls", t.SSL)
	}
	if !f.GotConn.IsZero() {
		add("wait", t.Wait)
		add("recv", t.Receive)
	}
	return b
}

func appendBytes(b []byte, n int64) []byte {
	switch {
	case n < 1024:
		return append(strconv.AppendInt(b, n, 10), 'B')
	case n < 1<<20:
		return append(strconv.AppendFloat(b, float64(n)/1024, 'f', 1, 64), "KB"...)
	case n < 1<<30:
		return append(strconv.AppendFloat(b, float64(n)/(1<<20), 'f', 1, 64), "MB"...)
	}
	return append(strconv.AppendFloat(b, float64(n)/(1<<30), 'f', 2, 64), "GB"...)
}

func appendDuration(b []byte, d time.Duration) []byte {
	switch {
	case d < time.Millisecond:
		return append(strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', 2, 64), "ms"...)
	case d < 10*time.Millisecond:
		return append(strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', 1, 64), "ms"...)
	case d < 10*time.Second:
		return append(strconv.AppendInt(b, d.Milliseconds(), 10), "ms"...)
	}
	return append(strconv.AppendFloat(b, d.Seconds(), 'f', 1, 64), 's')
}
