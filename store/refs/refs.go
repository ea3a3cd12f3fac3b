// Package refs finds the URLs an HTML document or a stylesheet references:
// what the browser will ask for because of it. glassbox sees every HTML and
// CSS body that passes through it; the page grouping (store.Grouper) uses
// these references to tell which page load a request belongs to and what
// initiated it, as a browser's network panel does, instead of guessing from
// time.
//
// It reads with real tokenizers, not regular expressions: HTML with
// golang.org/x/net/html's Tokenizer (streaming, no tree), CSS with
// github.com/tdewolff/parse/v2/css's lexer, so comments, escapes, quoted
// and unquoted url() and @import come out as a browser reads them. Both
// are bounded: at most MaxInput bytes are read and MaxRefs references
// returned, and the work is linear in the input.
package refs

import (
	"net/url"
	"strings"
)

// Limits, so a hostile document costs little: a page's references are in
// its first megabytes (the head, the markup), and a browser does not ask
// for tens of thousands of resources for one document.
const (
	MaxInput = 2 << 20
	MaxRefs  = 10000
)

// Kind says how a document references a URL, which tells what the browser
// does with it.
type Kind string

const (
	Frame      Kind = "frame"      // iframe or frame src: a nested page load
	Stylesheet Kind = "stylesheet" // link rel=stylesheet, CSS @import
	Script     Kind = "script"     // script src, link rel=modulepreload
	Image      Kind = "image"      // img src/srcset, picture source, poster, input type=image, icon, CSS url()
	Media      Kind = "media"      // audio, video, source, track
	Font       Kind = "font"       // url() inside @font-face
	Preload    Kind = "preload"    // link rel=preload (its as= gives the type)
	Prefetch   Kind = "prefetch"   // link rel=prefetch: a later navigation's resource
	Object     Kind = "object"     // object data, embed src
	Manifest   Kind = "manifest"   // link rel=manifest
	Link       Kind = "link"       // a or area href: where a click navigates
	Form       Kind = "form"       // form action: where a submission navigates
	Refresh    Kind = "refresh"    // meta http-equiv=refresh: a navigation the page starts itself
)

// Ref is one reference: an absolute URL without its fragment, and how it
// is referenced.
type Ref struct {
	URL  string
	Kind Kind
	// As is a preload's destination (link rel=preload as=...): "style",
	// "script", "font", "image", "fetch"...
	As string
}

// Loads reports whether the browser fetches the URL on its own because of
// the document (a sub-resource, a frame, a prefetch), as opposed to a
// navigation the user or the page starts (a link, a form, a refresh).
func (k Kind) Loads() bool {
	switch k {
	case Link, Form, Refresh:
		return false
	}
	return true
}

// resolve makes ref absolute against base and drops its fragment; "" for
// what is not fetched over HTTP (data:, javascript:, mailto:, blob:,
// about:) or does not parse.
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "#") {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ws", "wss":
	default:
		return ""
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// collector gathers references up to MaxRefs, each URL and kind once.
type collector struct {
	base    *url.URL
	baseSet bool // a <base href> was read: later ones are ignored
	out     []Ref
	seen    map[Ref]bool
}

func (c *collector) setBase(u string) {
	if b, err := url.Parse(u); err == nil {
		c.base, c.baseSet = b, true
	}
}

func newCollector(baseURL string) *collector {
	c := &collector{seen: map[Ref]bool{}}
	if u, err := url.Parse(baseURL); err == nil {
		c.base = u
	}
	return c
}

func (c *collector) full() bool { return len(c.out) >= MaxRefs }

func (c *collector) add(raw string, kind Kind, as string) {
	if c.full() {
		return
	}
	u := resolve(c.base, raw)
	if u == "" {
		return
	}
	r := Ref{URL: u, Kind: kind, As: as}
	if !c.seen[r] {
		c.seen[r] = true
		c.out = append(c.out, r)
	}
}
