package diagnose

import (
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec"
	"github.com/glassbox-dev/glassbox/store/refs"
)

// Thresholds of the content findings.
const (
	// uncompressedMin: below a few KiB a response fits in the first
	// flights of a TCP connection's window (RFC 6928's ten segments,
	// about 14 KiB) and compression saves little; above 4 KiB text
	// usually shrinks to a third or less with gzip.
	uncompressedMin = 4 << 10
	// largeImageMin: an image of 100 KiB takes as long to arrive as a
	// whole small page; below it glassbox says nothing about images.
	largeImageMin = 100 << 10
	// bytesPerPixel: a photograph compresses to well under one byte per
	// shown pixel and a flat picture to less; above four bytes per pixel
	// the HTML shows it at a size the file is far too large for.
	bytesPerPixel = 4
	// docScan bounds how much of the document is decoded for its HTML.
	docScan = refs.MaxInput
)

// textual reports whether a Content-Type is text that compresses.
func textual(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/javascript", "application/json", "application/xml", "image/svg+xml", "application/wasm":
		return true
	}
	return false
}

// uncompressed: text sent without a content coding although the browser
// offered one (RFC 9110 §8.4, §12.5.3).
func uncompressed(p *page) []Finding {
	var out []Finding
	for _, f := range p.flows {
		if f.Status != 200 || f.RespBody.Size < uncompressedMin || !textual(f.RespHeaders.Get("Content-Type")) {
			continue
		}
		if ce := f.RespHeaders.Get("Content-Encoding"); ce != "" && ce != "identity" {
			continue
		}
		offered := f.ReqHeaders.Get("Accept-Encoding")
		if offered == "" {
			continue // the browser did not ask for a coding: nothing to fix
		}
		out = append(out, Finding{Kind: KindUncompressed,
			Title:   fmt.Sprintf("%s of text sent uncompressed (#%d)", kib(f.RespBody.Size), f.ID),
			Numbers: []Number{{"size", kib(f.RespBody.Size)}, {"download", dur(p.timings[f.ID].Receive)}},
			FlowIDs: []int64{f.ID},
			Evidence: fmt.Sprintf("#%d %s: %s, no Content-Encoding, though the browser offered Accept-Encoding: %s",
				f.ID, f.URL, f.RespHeaders.Get("Content-Type"), offered),
			Fix: "Compress text responses (Content-Encoding: br, zstd or gzip; RFC 9110 §8.4): text usually shrinks " +
				"to a third or less."})
	}
	return out
}

// cacheable reports whether a response is one a cache could keep and
// revalidate: a complete 200 to a GET.
func cacheable(f *store.Flow) bool {
	return f.Method == "GET" && f.Status == 200 && f.Kind != store.KindWebSocket
}

// hasValidator reports whether a response carries a validator, which
// lets the browser ask "has it changed?" instead of downloading it again
// (RFC 9110 §8.8, RFC 9111 §4.3).
func hasValidator(h store.Headers) bool {
	return h.Get("ETag") != "" || h.Get("Last-Modified") != ""
}

func noStore(h store.Headers) bool {
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(d), "no-store") {
				return true
			}
		}
	}
	return false
}

// cacheValidators: responses a cache must not keep (no-store), and
// responses it keeps but cannot revalidate (no validator).
func cacheValidators(p *page) []Finding {
	var none, nostore []int64
	var noneBytes, nostoreBytes int64
	for _, f := range p.flows {
		if !cacheable(f) {
			continue
		}
		switch {
		case noStore(f.RespHeaders):
			nostore = append(nostore, f.ID)
			nostoreBytes += f.RespBody.Size
		case !hasValidator(f.RespHeaders):
			none = append(none, f.ID)
			noneBytes += f.RespBody.Size
		}
	}
	var out []Finding
	if len(none) > 0 {
		out = append(out, Finding{Kind: KindNoValidator,
			Title:    fmt.Sprintf("%s (%s) came without a cache validator", plural(len(none), "response"), kib(noneBytes)),
			Numbers:  []Number{{"responses", fmt.Sprint(len(none))}, {"bytes", kib(noneBytes)}},
			FlowIDs:  none,
			Evidence: "200 responses to GET with neither ETag nor Last-Modified: once stale, the browser cannot ask whether they changed (RFC 9111 §4.3.1) and downloads them whole",
			Fix:      "Send an ETag or Last-Modified (RFC 9110 §8.8), and a Cache-Control max-age for what may be reused as is."})
	}
	if len(nostore) > 0 {
		out = append(out, Finding{Kind: KindNoStore,
			Title:    fmt.Sprintf("%s (%s) forbid caching with no-store", plural(len(nostore), "response"), kib(nostoreBytes)),
			Numbers:  []Number{{"responses", fmt.Sprint(len(nostore))}, {"bytes", kib(nostoreBytes)}},
			FlowIDs:  nostore,
			Evidence: "Cache-Control: no-store (RFC 9111 §5.2.2.5): every later visit downloads them again",
			Fix:      "Keep no-store for private answers; for the rest use no-cache with a validator, which keeps the copy and asks before using it."})
	}
	return out
}

// downloadedAgain: on a reload, what came down whole a second time
// because the first response left the browser nothing to revalidate.
func downloadedAgain(p *page) []Finding {
	before := map[string]*store.Flow{}
	for i := range p.in.Previous {
		f := &p.in.Previous[i]
		if cacheable(f) && (noStore(f.RespHeaders) || !hasValidator(f.RespHeaders)) {
			before[f.Method+" "+f.URL] = f
		}
	}
	var ids []int64
	var bytes int64
	var prevIDs []string
	for _, f := range p.flows {
		prev := before[f.Method+" "+f.URL]
		if prev == nil || !cacheable(f) {
			continue
		}
		ids = append(ids, f.ID)
		bytes += f.RespBody.Size
		prevIDs = append(prevIDs, fmt.Sprintf("#%d (first #%d)", f.ID, prev.ID))
	}
	if len(ids) == 0 {
		return nil
	}
	return []Finding{{Kind: KindDownloadedAgain,
		Title:    fmt.Sprintf("On this reload %s (%s) were downloaded again", plural(len(ids), "response"), kib(bytes)),
		Numbers:  []Number{{"responses", fmt.Sprint(len(ids))}, {"bytes", kib(bytes)}},
		FlowIDs:  ids,
		Evidence: "answered 200 in full again, where the earlier load's response had no validator or said no-store: " + strings.Join(prevIDs, ", "),
		Fix:      "With an ETag or Last-Modified the reload would have been a 304 Not Modified with no body (RFC 9110 §15.4.5)."}}
}

// document is the page's HTML, decoded, and its flow; nil when its body
// was not read or kept.
func (p *page) document() (*store.Flow, []byte) {
	for _, f := range p.flows {
		if f.ResourceType != "document" || f.Status != 200 || len(f.RespBody.Data) == 0 {
			continue
		}
		data, _, err := codec.Decode(f.RespBody.Data, f.RespHeaders.Get("Content-Encoding"), docScan)
		if err != nil && len(data) == 0 {
			continue
		}
		return f, data
	}
	return nil, nil
}

// renderBlocking: stylesheets and scripts of <head> the browser had to
// fetch before it could draw (refs.Render says which).
func renderBlocking(p *page) []Finding {
	doc, html := p.document()
	if doc == nil {
		return nil
	}
	r := refs.Render(doc.URL, html)
	var ids []int64
	var names []string
	var until time.Time
	for _, ref := range r.Blocking {
		for _, f := range p.flows {
			if f.URL != ref.URL || f.Start.Before(doc.Start) {
				continue
			}
			ids = append(ids, f.ID)
			names = append(names, fmt.Sprintf("#%d %s", f.ID, ref.Kind))
			if f.End.After(until) {
				until = f.End
			}
			break
		}
	}
	if len(ids) == 0 {
		return nil
	}
	held := store.Between(doc.FirstByte, until)
	return []Finding{{Kind: KindRenderBlocking,
		Title:   fmt.Sprintf("Scripts and stylesheets in <head> (%d) held the first paint back until %s after the HTML arrived", len(ids), dur(held)),
		Numbers: []Number{{"blocking requests", fmt.Sprint(len(ids))}, {"until the last one ended", dur(held)}},
		FlowIDs: ids,
		Evidence: fmt.Sprintf("the HTML of #%d names in <head>, without async or defer: %s", doc.ID,
			strings.Join(names, ", ")),
		Fix: "Add defer (or async) to scripts, or move them to the end of <body>; inline the CSS the first screen needs " +
			"and load the rest without blocking."}}
}

// largeImages: images of largeImageMin or more; when the HTML gives
// their displayed size, how many bytes each shown pixel costs.
func largeImages(p *page) []Finding {
	shown := map[string]refs.SizedImage{}
	if doc, html := p.document(); doc != nil {
		for _, im := range refs.Render(doc.URL, html).Images {
			shown[im.URL] = im
		}
	}
	var out []Finding
	for _, f := range p.flows {
		if f.ResourceType != "image" || f.Status != 200 || f.RespBody.Size < largeImageMin {
			continue
		}
		fd := Finding{Kind: KindLargeImage,
			Title:    fmt.Sprintf("An image of %s on the page (#%d)", kib(f.RespBody.Size), f.ID),
			Numbers:  []Number{{"size", kib(f.RespBody.Size)}, {"download", dur(p.timings[f.ID].Receive)}},
			FlowIDs:  []int64{f.ID},
			Evidence: fmt.Sprintf("#%d %s: %s of %s (glassbox knows the bytes, not the size the browser drew)", f.ID, f.URL, kib(f.RespBody.Size), f.RespHeaders.Get("Content-Type")),
			Fix:      "Serve it at the size it is shown, in a modern format (WebP, AVIF), with srcset for larger screens."}
		if im, ok := shown[f.URL]; ok {
			px := int64(im.Width) * int64(im.Height)
			per := f.RespBody.Size / px
			if per < bytesPerPixel {
				continue // no larger than its use suggests
			}
			{
				fd.Title = fmt.Sprintf("An image of %s shown at %d×%d (#%d): %d bytes per shown pixel", kib(f.RespBody.Size), im.Width, im.Height, f.ID, per)
				fd.Numbers = append(fd.Numbers, Number{"shown at", fmt.Sprintf("%d×%d", im.Width, im.Height)}, Number{"bytes per shown pixel", fmt.Sprint(per)})
				fd.Evidence += fmt.Sprintf("; the HTML gives it width=%d height=%d", im.Width, im.Height)
			}
		}
		out = append(out, fd)
	}
	return out
}

// kib writes a size in KiB (or bytes below one).
func kib(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	if n < 10<<10 {
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%d KiB", n/1024)
}
