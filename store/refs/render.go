package refs

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// Rendering is what an HTML document says about how the browser may draw
// it, beyond the URLs it references: which scripts and stylesheets in its
// <head> hold the first paint back, and at what size it shows its images.
// The diagnosis of a page load (store/diagnose) reads it.
type Rendering struct {
	// Blocking are the stylesheets and classic scripts of <head> that
	// the browser must fetch (and, for a script, run) before it draws
	// anything: a <link rel=stylesheet> for every medium, a <script src>
	// without async, defer or type=module (HTML, "scripting": a parser-
	// blocking script; CSSOM: a script-blocking style sheet).
	Blocking []Ref
	// Images are the <img> elements that state their displayed size in
	// width and height attributes (CSS pixels), in document order.
	Images []SizedImage
}

// SizedImage is an image as the HTML places it.
type SizedImage struct {
	URL           string
	Width, Height int
}

// Render reads an HTML document's Rendering (body is the decoded
// document; at most MaxInput bytes are read, at most MaxRefs entries of
// each list returned).
func Render(docURL string, body []byte) Rendering {
	if len(body) > MaxInput {
		body = body[:MaxInput]
	}
	c := newCollector(docURL)
	var out Rendering
	z := html.NewTokenizer(bytes.NewReader(body))
	inHead := true // until <body> or a tag that belongs in the body
	for len(out.Blocking) < MaxRefs && len(out.Images) < MaxRefs {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			if tt == html.EndTagToken {
				if name, _ := z.TagName(); string(name) == "head" {
					inHead = false
				}
			}
			continue
		}
		name, a := tag(z)
		switch {
		case name == "base":
			c.element(name, a)
		case name == "img":
			w, werr := strconv.Atoi(strings.TrimSpace(a["width"]))
			h, herr := strconv.Atoi(strings.TrimSpace(a["height"]))
			if u := resolve(c.base, a["src"]); u != "" && werr == nil && herr == nil && w > 0 && h > 0 {
				out.Images = append(out.Images, SizedImage{URL: u, Width: w, Height: h})
			}
			inHead = false
		case !headElement[name]:
			inHead = false // the parser leaves <head> at the first body element
		case inHead && blocking(name, a):
			kind := Script
			if name == "link" {
				kind = Stylesheet
			}
			if u := resolve(c.base, pick(a, "src", "href")); u != "" {
				out.Blocking = append(out.Blocking, Ref{URL: u, Kind: kind})
			}
		}
	}
	return out
}

// blocking reports whether an element of <head> holds the first paint
// back: a classic script fetched without async or defer, or a stylesheet
// for all media (media="print" does not block the screen).
func blocking(name string, a map[string]string) bool {
	switch name {
	case "script":
		_, async := a["async"]
		_, deferred := a["defer"]
		typ := strings.ToLower(strings.TrimSpace(a["type"]))
		return a["src"] != "" && !async && !deferred && typ != "module"
	case "link":
		rels := strings.Fields(strings.ToLower(a["rel"]))
		media := strings.ToLower(strings.TrimSpace(a["media"]))
		_, disabled := a["disabled"]
		return slices.Contains(rels, "stylesheet") && !slices.Contains(rels, "alternate") && !disabled &&
			(media == "" || media == "all" || media == "screen")
	}
	return false
}

// headElement are the elements that may stay in <head> (HTML, "the
// in head insertion mode"); any other start tag begins the body.
var headElement = map[string]bool{"html": true, "head": true, "base": true, "basefont": true, "bgsound": true,
	"link": true, "meta": true, "title": true, "noscript": true, "noframes": true, "style": true,
	"script": true, "template": true}

func pick(a map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := a[k]; v != "" {
			return v
		}
	}
	return ""
}
