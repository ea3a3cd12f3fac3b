package explain

import (
	"strconv"
	"strings"
)

// mediaTypes names the formats a browser meets most, in a learner's words.
var mediaTypes = map[string]string{
	"text/html":                         "an HTML document: a web page",
	"text/css":                          "a CSS stylesheet",
	"text/javascript":                   "JavaScript code",
	"application/javascript":            "JavaScript code (text/javascript is the preferred name today)",
	"application/json":                  "JSON data, usually for a script",
	"application/ld+json":               "JSON-LD: structured data about the page, for search engines",
	"application/manifest+json":         "a web app manifest: the app's name, icons and colours",
	"application/problem+json":          "a JSON error report in the standard problem-details shape (RFC 9457)",
	"application/xhtml+xml":             "an XHTML page (HTML written as XML)",
	"application/xml":                   "XML data",
	"text/xml":                          "XML data",
	"text/plain":                        "plain text",
	"text/csv":                          "a table as comma-separated values",
	"text/event-stream":                 "server-sent events: a stream of messages the server keeps pushing",
	"application/x-www-form-urlencoded": "a form's fields, encoded as name=value pairs joined by &",
	"multipart/form-data":               "a form in several parts, the way files are uploaded",
	"multipart/byteranges":              "several byte ranges of one resource, in separate parts",
	"application/octet-stream":          "raw bytes of no particular type; browsers usually offer to save them",
	"application/pdf":                   "a PDF document",
	"application/wasm":                  "a WebAssembly module",
	"application/zip":                   "a ZIP archive",
	"image/png":                         "a PNG image",
	"image/jpeg":                        "a JPEG image",
	"image/gif":                         "a GIF image",
	"image/webp":                        "a WebP image",
	"image/avif":                        "an AVIF image",
	"image/svg+xml":                     "an SVG image (vector graphics written in XML)",
	"image/x-icon":                      "an icon, such as a favicon",
	"image/vnd.microsoft.icon":          "an icon, such as a favicon",
	"font/woff2":                        "a WOFF2 web font",
	"font/woff":                         "a WOFF web font",
	"font/ttf":                          "a TrueType font",
	"font/otf":                          "an OpenType font",
	"video/mp4":                         "an MP4 video",
	"video/webm":                        "a WebM video",
	"audio/mpeg":                        "an MP3 audio file",
	"audio/ogg":                         "an Ogg audio file",
	"application/vnd.apple.mpegurl":     "an HLS playlist for streaming video",
	"application/dash+xml":              "a DASH manifest for streaming video",
}

// describeMediaType explains a type/subtype, falling back on its top-level
// type and structured suffix (RFC 6838 §4.2.8).
func describeMediaType(mt string) string {
	mt = strings.ToLower(strings.TrimSpace(mt))
	if d, ok := mediaTypes[mt]; ok {
		return d
	}
	top, sub, _ := strings.Cut(mt, "/")
	switch {
	case strings.HasSuffix(sub, "+json"):
		return "JSON data in the " + strings.TrimSuffix(sub, "+json") + " format"
	case strings.HasSuffix(sub, "+xml"):
		return "XML data in the " + strings.TrimSuffix(sub, "+xml") + " format"
	}
	switch top {
	case "text":
		return "text"
	case "image":
		return "an image"
	case "font":
		return "a font"
	case "audio":
		return "audio"
	case "video":
		return "a video"
	case "multipart":
		return "a body in several parts"
	case "*":
		return "anything"
	}
	return "a format glassbox does not know"
}

func contentType(v string) []string {
	parts := splitOutsideQuotes(v, ';')
	if len(parts) == 0 {
		return nil
	}
	out := []string{parts[0] + ": " + describeMediaType(parts[0])}
	for _, p := range parts[1:] {
		k, val, _ := param(p)
		switch k {
		case "charset":
			out = append(out, "charset="+val+": the text is encoded as "+charsetName(val))
		case "boundary":
			out = append(out, "boundary="+clip(val, 40)+": the line that separates the parts of the body")
		default:
			out = append(out, p+": a parameter of this format")
		}
	}
	return out
}

func charsetName(cs string) string {
	switch strings.ToLower(cs) {
	case "utf-8", "utf8":
		return "UTF-8, the encoding of almost all web text"
	case "iso-8859-1", "latin1":
		return "ISO-8859-1 (Latin-1), an old Western European encoding; browsers read it as windows-1252"
	case "windows-1252":
		return "windows-1252, an old Western European encoding"
	case "us-ascii":
		return "US-ASCII: English letters, digits and punctuation only"
	}
	return cs
}

func contentLength(v string) []string {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return []string{v + ": not a valid length; a message with a broken Content-Length cannot be trusted (RFC 9112 §6.3)"}
	}
	if n == 0 {
		return []string{"0: the body is empty"}
	}
	return []string{v + ": the body is " + FormatBytes(n) + " (" + v + " bytes) as sent, compressed or not"}
}

// codings explains the content codings of RFC 9110 §8.4.1 and their
// registered friends.
var codings = map[string]string{
	"gzip":     "gzip (RFC 1952), the most widely supported compression",
	"x-gzip":   "gzip (RFC 1952), under its old name",
	"br":       "Brotli (RFC 7932), which usually packs text smaller than gzip",
	"zstd":     "Zstandard (RFC 8878), fast to unpack and about as small as Brotli",
	"deflate":  "zlib/deflate (RFC 1950, RFC 1951), rarely used today",
	"compress": "the old Unix LZW format, which browsers no longer support",
	"identity": "no compression at all",
	"dcb":      "Brotli with a dictionary the browser already holds (compression dictionary transport)",
	"dcz":      "Zstandard with a dictionary the browser already holds (compression dictionary transport)",
}

func contentEncoding(v string) []string {
	list := splitList(v)
	var out []string
	for _, c := range list {
		lc := strings.ToLower(c)
		d, ok := codings[lc]
		switch {
		case lc == "identity":
			out = append(out, c+": not compressed")
		case ok:
			out = append(out, c+": compressed with "+d+"; the browser unpacks it before use")
		default:
			out = append(out, c+": a coding glassbox does not know")
		}
	}
	if len(list) > 1 {
		out = append(out, "several codings: they were applied in this order, so the browser undoes them from the last to the first (RFC 9110 §8.4)")
	}
	return out
}

func acceptEncoding(v string) []string {
	var out []string
	for _, e := range splitList(v) {
		c, q, _ := qValue(e)
		lc := strings.ToLower(c)
		name := c
		if d, ok := codings[lc]; ok {
			name = d
		}
		switch {
		case q == 0:
			out = append(out, e+": the client refuses "+c)
		case lc == "*":
			out = append(out, e+": any other coding is fine too")
		case lc == "identity":
			out = append(out, e+": an uncompressed body is fine")
		default:
			s := e + ": the client can unpack " + name
			if q < 1 {
				s += ", with preference " + trimFloat(q, 3)
			}
			out = append(out, s)
		}
	}
	return out
}

func accept(v string) []string {
	var out []string
	for _, e := range splitList(v) {
		mt, q, explicit := qValue(e)
		var s string
		switch {
		case mt == "*/*":
			s = e + ": anything else will do"
		case strings.HasSuffix(mt, "/*"):
			s = e + ": any " + strings.TrimSuffix(mt, "/*") + " format"
		default:
			s = e + ": " + describeMediaType(mt)
		}
		switch {
		case q == 0:
			s = e + ": not acceptable"
		case explicit && q < 1:
			s += ", with lower preference (" + trimFloat(q, 3) + " of 1)"
		}
		out = append(out, s)
	}
	return out
}

func acceptLanguage(v string) []string {
	var out []string
	for _, e := range splitList(v) {
		tag, q, explicit := qValue(e)
		s := e + ": " + languageName(tag)
		if explicit && q < 1 {
			s += ", with lower preference (" + trimFloat(q, 3) + " of 1)"
		}
		out = append(out, s)
	}
	return out
}

var languages = map[string]string{
	"ar": "Arabic", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
	"es": "Spanish", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian",
	"id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "nb": "Norwegian", "nl": "Dutch",
	"pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sv": "Swedish", "th": "Thai",
	"tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}

// languageName reads a language tag (RFC 5646): "en-GB" -> "English (GB)".
func languageName(tag string) string {
	if tag == "*" {
		return "any language"
	}
	lang, region, _ := strings.Cut(tag, "-")
	name, ok := languages[strings.ToLower(lang)]
	if !ok {
		name = "the language " + lang
	}
	if region != "" {
		name += " (" + region + ")"
	}
	return name
}

func transferEncoding(v string) []string {
	var out []string
	for _, c := range splitList(v) {
		switch strings.ToLower(c) {
		case "chunked":
			out = append(out, "chunked: the body comes in pieces, each preceded by its size and ended by an empty piece, so the sender can start before it knows the total size (RFC 9112 §7.1)")
		default:
			out = append(out, c+": compressed for this connection only (hop by hop), which is rare; Content-Encoding is the usual way (RFC 9112 §7)")
		}
	}
	return out
}

func rangeHeader(v string) []string {
	unit, spec, ok := strings.Cut(v, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return []string{v + ": only byte ranges (bytes=...) are in common use (RFC 9110 §14.1)"}
	}
	ranges := splitList(spec)
	var out []string
	for _, r := range ranges {
		first, last, _ := strings.Cut(r, "-")
		a, errA := strconv.ParseInt(strings.TrimSpace(first), 10, 64)
		b, errB := strconv.ParseInt(strings.TrimSpace(last), 10, 64)
		switch {
		case first == "" && errB == nil:
			out = append(out, "bytes="+r+": asks for the last "+FormatBytes(b))
		case errA == nil && last == "":
			out = append(out, "bytes="+r+": asks for everything from byte "+first+" to the end")
		case errA == nil && errB == nil && b >= a:
			out = append(out, "bytes="+r+": asks for bytes "+first+" to "+last+" ("+FormatBytes(b-a+1)+")")
		default:
			out = append(out, "bytes="+r+": not a valid range, so the server sends the whole resource")
		}
	}
	if len(ranges) > 1 {
		out = append(out, "several ranges at once: the server may answer with a multipart/byteranges body holding each part (RFC 9110 §14.6)")
	}
	return out
}

func contentRange(v string) []string {
	unit, rest, _ := strings.Cut(v, " ")
	if !strings.EqualFold(unit, "bytes") {
		return []string{v + ": a range in a unit other than bytes"}
	}
	span, total, _ := strings.Cut(rest, "/")
	totalText := "a resource of unknown size"
	if n, err := strconv.ParseInt(total, 10, 64); err == nil {
		totalText = FormatBytes(n) + " in all"
	}
	if span == "*" {
		return []string{v + ": the range asked for does not fit; the resource is " + strings.TrimSuffix(totalText, " in all") + " (sent with 416) (RFC 9110 §14.4)"}
	}
	first, last, _ := strings.Cut(span, "-")
	a, errA := strconv.ParseInt(first, 10, 64)
	b, errB := strconv.ParseInt(last, 10, 64)
	if errA != nil || errB != nil || b < a {
		return []string{v + ": not a valid range"}
	}
	return []string{v + ": this part holds bytes " + first + " to " + last + " (" + FormatBytes(b-a+1) + ") of " + totalText + " (RFC 9110 §14.4)"}
}

func acceptRanges(v string) []string {
	switch strings.ToLower(v) {
	case "bytes":
		return []string{"bytes: the server accepts Range requests, so downloads can resume and players can jump ahead"}
	case "none":
		return []string{"none: the server does not accept Range requests for this resource"}
	}
	return []string{v + ": a range unit browsers do not use"}
}

func contentDisposition(v string) []string {
	parts := splitOutsideQuotes(v, ';')
	var out []string
	for i, p := range parts {
		k, val, _ := param(p)
		switch {
		case i == 0 && k == "attachment":
			out = append(out, "attachment: the browser saves the body as a file instead of showing it")
		case i == 0 && k == "inline":
			out = append(out, "inline: the browser shows the body in the page, if it can")
		case k == "filename":
			out = append(out, "filename="+val+": the file name the browser suggests when saving")
		case k == "filename*":
			_, enc, _ := strings.Cut(val, "''")
			out = append(out, "filename*: the file name in an encoded form that allows any characters: "+enc+" (RFC 8187)")
		}
	}
	return out
}
