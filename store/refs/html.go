package refs

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// HTML returns what an HTML document references, resolved against its URL
// (or its <base href>), in document order: sub-resources, frames, links
// and forms, and the url() of its <style> blocks and style attributes.
// body is the decoded document (store/codec); at most MaxInput bytes of it
// are read.
func HTML(docURL string, body []byte) []Ref {
	if len(body) > MaxInput {
		body = body[:MaxInput]
	}
	c := newCollector(docURL)
	z := html.NewTokenizer(bytes.NewReader(body))
	inStyle := false
	for !c.full() {
		switch z.Next() {
		case html.ErrorToken:
			return c.out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, attrs := tag(z)
			c.element(name, attrs)
			inStyle = name == "style"
		case html.TextToken:
			if inStyle {
				c.css(z.Text(), false)
			}
		case html.EndTagToken:
			inStyle = false
		}
	}
	return c.out
}

// tag reads a start tag's name and attributes (names lower case, the first
// of a repeated attribute wins, as in a browser).
func tag(z *html.Tokenizer) (string, map[string]string) {
	name, more := z.TagName()
	attrs := map[string]string{}
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		if _, seen := attrs[string(k)]; !seen {
			attrs[string(k)] = string(v)
		}
	}
	return string(name), attrs
}

// element records what one element references.
func (c *collector) element(name string, a map[string]string) {
	if style, ok := a["style"]; ok {
		c.css([]byte(style), false)
	}
	switch name {
	case "base":
		if href, ok := a["href"]; ok && c.base != nil && !c.baseSet {
			if u := resolve(c.base, href); u != "" {
				c.setBase(u)
			}
		}
	case "img":
		c.add(a["src"], Image, "")
		c.srcset(a["srcset"])
	case "source":
		c.srcset(a["srcset"]) // in <picture>
		c.add(a["src"], Media, "")
	case "script":
		c.add(a["src"], Script, "")
	case "link":
		c.link(a)
	case "iframe", "frame":
		c.add(a["src"], Frame, "")
	case "video":
		c.add(a["src"], Media, "")
		c.add(a["poster"], Image, "")
	case "audio", "track":
		c.add(a["src"], Media, "")
	case "object":
		c.add(a["data"], Object, "")
	case "embed":
		c.add(a["src"], Object, "")
	case "input":
		if strings.EqualFold(a["type"], "image") {
			c.add(a["src"], Image, "")
		}
	case "body", "table", "td", "th":
		c.add(a["background"], Image, "")
	case "a", "area":
		c.add(a["href"], Link, "")
	case "form":
		c.form(a)
	case "meta":
		if strings.EqualFold(a["http-equiv"], "refresh") {
			c.add(refreshURL(a["content"]), Refresh, "")
		}
	}
}

// link reads <link rel=... href=...>; rel is a set of space-separated
// keywords (HTML, "link types").
func (c *collector) link(a map[string]string) {
	href := a["href"]
	for _, rel := range strings.Fields(strings.ToLower(a["rel"])) {
		switch rel {
		case "stylesheet":
			c.add(href, Stylesheet, "")
		case "icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon":
			c.add(href, Image, "")
			c.srcset(a["imagesrcset"])
		case "preload":
			c.add(href, Preload, strings.ToLower(a["as"]))
			c.srcset(a["imagesrcset"])
		case "modulepreload":
			c.add(href, Script, "")
		case "prefetch", "prerender":
			c.add(href, Prefetch, "")
		case "manifest":
			c.add(href, Manifest, "")
		}
	}
}

// form reads where a form submits: its action, or the document itself.
func (c *collector) form(a map[string]string) {
	action, ok := a["action"]
	if !ok || strings.TrimSpace(action) == "" {
		if c.base != nil {
			action = c.base.String()
		}
	}
	c.add(action, Form, "")
}

// srcset adds every candidate of a srcset attribute ("a.png 1x, b.png 2x"):
// which one the browser takes depends on the screen, so all are references.
func (c *collector) srcset(v string) {
	for _, cand := range strings.Split(v, ",") {
		if f := strings.Fields(cand); len(f) > 0 {
			c.add(f[0], Image, "")
		}
	}
}

// refreshURL reads the URL of <meta http-equiv=refresh content="5; url=x">
// (HTML, "shared declarative refresh steps").
func refreshURL(content string) string {
	_, rest, ok := strings.Cut(content, ";")
	if !ok {
		_, rest, ok = strings.Cut(content, ",")
	}
	if !ok {
		return ""
	}
	rest = strings.TrimSpace(rest)
	if len(rest) >= 3 && strings.EqualFold(rest[:3], "url") {
		rest = strings.TrimLeft(strings.TrimSpace(rest[3:]), "= ")
	}
	return strings.Trim(rest, `"' `)
}
