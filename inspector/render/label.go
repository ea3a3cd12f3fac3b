package render

// How a line names a flow when room is short (issue 19, item 6: at 80
// columns an OPTIONS and a PUT to one host both read
// "api2.example:3855…"). The method always shows, and a path is shortened
// in its middle: its start says where it is, its end (the file, the id,
// the query) tells two requests apart.

// shortMethods are methods as a 4-cell column shows them.
var shortMethods = map[string]string{"OPTIONS": "OPT", "DELETE": "DEL", "CONNECT": "CONN", "PATCH": "PTCH"}

// ShortMethod is a method in at most 4 cells.
func ShortMethod(m string) string {
	if s, ok := shortMethods[m]; ok {
		return s
	}
	return Fit(m, 4)
}

// FitMiddle shortens s to w cells by cutting its middle: a third of the
// room for the start, the rest for the end, "…" between.
func FitMiddle(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	if w < 6 {
		return Fit(s, w)
	}
	head := (w - 1) / 3
	tail := w - 1 - head
	rs := []rune(s)
	var end []rune
	used := 0
	for i := len(rs) - 1; i >= 0; i-- {
		rw := RuneWidth(rs[i])
		if used+rw > tail {
			break
		}
		end = append([]rune{rs[i]}, end...)
		used += rw
	}
	h, _ := cutWidth(s, head+tail-used)
	return h + "…" + string(end)
}

// HostPath names a request's target in w cells: the host (left out when
// it is the page's, given as pageHost) and the path; when both do not fit,
// the host gives way first, then the path is cut in the middle.
func HostPath(host, path, pageHost string, w int) string {
	if host == pageHost {
		return FitMiddle(path, w)
	}
	if Width(host)+Width(path) <= w {
		return host + path
	}
	if room := w - Width(path); room >= 6 {
		return Fit(host, room) + path
	}
	return FitMiddle(path, w)
}

// FlowLabel is a method and a target in w cells: "OPT /api/cart".
func FlowLabel(method, host, path, pageHost string, w int) string {
	m := ShortMethod(method)
	return m + " " + HostPath(host, path, pageHost, w-Width(m)-1)
}
