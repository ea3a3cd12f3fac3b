package explain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FormatDuration writes a duration the way a person reads it: "0.42 ms",
// "3.1 ms", "12 ms", "420 ms", "1.3 s", "2 min 5 s". Precision shrinks as the
// value grows, so a column of durations stays short; trailing zeros are
// dropped ("12 ms", not "12.0 ms"). A negative duration means the phase did
// not happen (store.NotApplicable) and reads "n/a".
func FormatDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "n/a"
	case d == 0:
		return "0 ms"
	case d < 10*time.Microsecond:
		return "< 0.01 ms"
	case d < time.Millisecond:
		return trimFloat(float64(d)/float64(time.Millisecond), 2) + " ms"
	case d < 100*time.Millisecond:
		return trimFloat(float64(d)/float64(time.Millisecond), 1) + " ms"
	case d < time.Second:
		return trimFloat(float64(d)/float64(time.Millisecond), 0) + " ms"
	case d < time.Minute:
		return trimFloat(d.Seconds(), 1) + " s"
	}
	d = d.Round(time.Second)
	m, s := int64(d/time.Minute), int64(d%time.Minute/time.Second)
	if s == 0 {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d min %d s", m, s)
}

// FormatBytes writes a size in B, KB, MB or GB with one decimal above a
// kilobyte ("512 B", "12.3 KB", "48.0 KB", "1.0 MB"). A kilobyte here is
// 1024 bytes, as in --max-body. A negative size means unknown and reads
// "unknown".
func FormatBytes(n int64) string {
	const k = 1024
	switch {
	case n < 0:
		return "unknown"
	case n < k:
		return strconv.FormatInt(n, 10) + " B"
	case n < k*k:
		return fmt.Sprintf("%.1f KB", float64(n)/k)
	case n < k*k*k:
		return fmt.Sprintf("%.1f MB", float64(n)/(k*k))
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(k*k*k))
}

// trimFloat formats f with at most prec decimals and drops trailing zeros.
func trimFloat(f float64, prec int) string {
	s := strconv.FormatFloat(f, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// humanSeconds turns a count of seconds from a header (max-age, Max-Age,
// Retry-After, Access-Control-Max-Age) into words: "1 hour", "365 days",
// "90 seconds", "about 2.5 hours".
func humanSeconds(n int64) string {
	const (
		minute = 60
		hour   = 60 * minute
		day    = 24 * hour
	)
	unit := func(v int64, one string) string {
		if v == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(v, 10) + " " + one + "s"
	}
	switch {
	case n < 0:
		return "a negative time"
	case n < minute:
		return unit(n, "second")
	case n%day == 0:
		return unit(n/day, "day")
	case n%hour == 0:
		return unit(n/hour, "hour")
	case n%minute == 0 && n < 2*hour:
		return unit(n/minute, "minute")
	case n < 2*minute:
		return unit(n, "second")
	case n < hour:
		return "about " + trimFloat(float64(n)/minute, 1) + " minutes"
	case n < 2*day:
		return "about " + trimFloat(float64(n)/hour, 1) + " hours"
	}
	return "about " + trimFloat(float64(n)/day, 1) + " days"
}

// Plural writes a count with its noun: "1 image", "2 images", "3
// fetches", "2 media". many, when given, is the plural form to use
// ("of them were CORS preflights"); without it English's regular rules
// make it.
func Plural(n int, one string, many ...string) string {
	if n == 1 {
		return "1 " + one
	}
	if len(many) > 0 && many[0] != "" {
		return strconv.Itoa(n) + " " + many[0]
	}
	return strconv.Itoa(n) + " " + pluralNoun(one)
}

// pluralNoun is the regular plural of a noun, or of a phrase's last word.
func pluralNoun(one string) string {
	switch {
	case strings.HasSuffix(one, "media"), strings.HasSuffix(one, "other"):
		return one
	case strings.HasSuffix(one, "ch"), strings.HasSuffix(one, "sh"), strings.HasSuffix(one, "ss"), strings.HasSuffix(one, "x"):
		return one + "es"
	}
	return one + "s"
}

// joinAnd writes "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// clip shortens s to at most n runes, marking the cut with "...".
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}
