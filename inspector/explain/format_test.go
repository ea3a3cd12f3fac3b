package explain_test

import (
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
)

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   time.Duration
		want string
	}{
		{"not-applicable", -1, "n/a"},                                       // store.NotApplicable
		{"zero", 0, "0 ms"},                                                 // a phase that took no measurable time
		{"microseconds", 3 * time.Microsecond, "< 0.01 ms"},                 // too small to show as a number
		{"sub-millisecond", 420 * time.Microsecond, "0.42 ms"},              // a loopback TCP handshake
		{"sub-millisecond-trailing-zero", 400 * time.Microsecond, "0.4 ms"}, // trailing zeros are dropped
		{"few-milliseconds", 3100 * time.Microsecond, "3.1 ms"},             // a DNS answer from a local resolver
		{"few-milliseconds-rounded", 3142 * time.Microsecond, "3.1 ms"},     // one decimal from 1 ms up
		{"sub-millisecond-rounded", 427 * time.Microsecond, "0.43 ms"},      // two decimals below 1 ms
		{"hundreds-rounded", 420600 * time.Microsecond, "421 ms"},           // no decimals from 100 ms up
		{"whole-milliseconds", 12 * time.Millisecond, "12 ms"},              // no ".0"
		{"tens-of-milliseconds", 15500 * time.Microsecond, "15.5 ms"},       // one decimal below 100 ms
		{"hundreds-of-milliseconds", 420 * time.Millisecond, "420 ms"},      // a slow server's wait
		{"seconds", 1300 * time.Millisecond, "1.3 s"},                       // a large download
		{"whole-seconds", 2 * time.Second, "2 s"},                           // no ".0" in seconds either
		{"minutes", 125 * time.Second, "2 min 5 s"},                         // a long-lived stream
		{"whole-minutes", 3 * time.Minute, "3 min"},                         // no "0 s"
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := explain.FormatDuration(tc.in); got != tc.want {
				t.Errorf("FormatDuration(%v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFormatBytes(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   int64
		want string
	}{
		{"unknown", -1, "unknown"},                // a size that was not measured
		{"bytes", 512, "512 B"},                   // a small JSON answer
		{"kilobytes", 12595, "12.3 KB"},           // a compressed page
		{"whole-kilobytes", 48 * 1024, "48.0 KB"}, // one decimal is kept
		{"megabyte", 1 << 20, "1.0 MB"},           // the default --max-body cap
		{"gigabytes", 3 << 30, "3.0 GB"},          // a video download
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := explain.FormatBytes(tc.in); got != tc.want {
				t.Errorf("FormatBytes(%d) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
