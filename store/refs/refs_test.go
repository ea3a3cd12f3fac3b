package refs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/store/refs"
)

func list(rs []refs.Ref) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "%s %s", r.Kind, r.URL)
		if r.As != "" {
			b.WriteString(" as=" + r.As)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestHTML(t *testing.T) {
	doc := `<!doctype html><html><head>
<base href="https://cdn.test/base/">
<base href="https://ignored.test/">
<link rel="stylesheet" href="/app.css"><link rel="preload" href="f.woff2" as="font" crossorigin>
<link rel="icon" href="fav.ico"><link rel="prefetch" href="next.html"><link rel="dns-prefetch" href="//x.test">
<link rel=modulepreload href=m.js>
<script src="app.js"></script><script>var s = "<img src=not-a-ref.png>";</script>
<style>@import url("print.css") print; .hero { background: url(hero.jpg) }
@font-face { font-family: X; src: url('x.woff2') format("woff2") } .a { background: url(a.png) }</style>
<meta http-equiv="refresh" content="30; URL='later.html'">
</head><body background="bg.gif">
<!-- <img src="commented.png"> -->
<img src="logo.png" srcset="logo-2x.png 2x, logo-3x.png 3x">
<picture><source srcset="p.webp"><img src="p.jpg"></picture>
<video src="v.mp4" poster="v.jpg"><track src="v.vtt"></video>
<iframe src="https://widget.test/frame.html"></iframe>
<div style="background-image: url(&quot;inline.png&quot;)"></div>
<a href="page2.html#top">next</a><a href="mailto:x@y">mail</a><a href="javascript:void(0)">js</a><img src="data:image/png;base64,AA">
<form method=post action="/buy"></form><form></form>
<input type=image src="go.png"><object data="o.swf"></object>
</body></html>`
	got := list(refs.HTML("https://shop.test/index.html", []byte(doc)))
	want := `stylesheet https://cdn.test/app.css
preload https://cdn.test/base/f.woff2 as=font
image https://cdn.test/base/fav.ico
prefetch https://cdn.test/base/next.html
script https://cdn.test/base/m.js
script https://cdn.test/base/app.js
stylesheet https://cdn.test/base/print.css
image https://cdn.test/base/hero.jpg
font https://cdn.test/base/x.woff2
image https://cdn.test/base/a.png
refresh https://cdn.test/base/later.html
image https://cdn.test/base/bg.gif
image https://cdn.test/base/logo.png
image https://cdn.test/base/logo-2x.png
image https://cdn.test/base/logo-3x.png
image https://cdn.test/base/p.webp
image https://cdn.test/base/p.jpg
media https://cdn.test/base/v.mp4
image https://cdn.test/base/v.jpg
media https://cdn.test/base/v.vtt
frame https://widget.test/frame.html
image https://cdn.test/base/inline.png
link https://cdn.test/base/page2.html
form https://cdn.test/buy
form https://cdn.test/base/
image https://cdn.test/base/go.png
object https://cdn.test/base/o.swf
`
	if got != want {
		t.Errorf("HTML refs:\n%s\nwant:\n%s", got, want)
	}
}

func TestCSS(t *testing.T) {
	sheet := `@charset "utf-8";
@import "base.css";
@import url(theme.css) screen;
/* url(commented.png) */
.logo { background: URL( "img/logo.png" ) no-repeat }
@font-face { font-family: F; src: url(fonts/f\2e woff2) format("woff2"), url("fonts/f.ttf") }
@media (min-width: 10px) { .x { background: url('img/x\'y.png') } }
.d { background: url(data:image/gif;base64,R0lG) }`
	got := list(refs.CSS("https://cdn.test/css/app.css", []byte(sheet)))
	want := `stylesheet https://cdn.test/css/base.css
stylesheet https://cdn.test/css/theme.css
image https://cdn.test/css/img/logo.png
font https://cdn.test/css/fonts/f.woff2
font https://cdn.test/css/fonts/f.ttf
image https://cdn.test/css/img/x'y.png
`
	if got != want {
		t.Errorf("CSS refs:\n%s\nwant:\n%s", got, want)
	}
}

func TestBounded(t *testing.T) {
	var b strings.Builder
	for i := 0; i < refs.MaxRefs+500; i++ {
		fmt.Fprintf(&b, `<img src="/i%d.png">`, i)
	}
	if n := len(refs.HTML("https://shop.test/", []byte(b.String()))); n != refs.MaxRefs {
		t.Errorf("%d refs, want the cap %d", n, refs.MaxRefs)
	}
	huge := strings.Repeat("a", refs.MaxInput) + `<img src="/past-the-limit.png">`
	if rs := refs.HTML("https://shop.test/", []byte(huge)); len(rs) != 0 {
		t.Errorf("read past MaxInput: %v", rs)
	}
}

// FuzzRefs: whatever a page sends, reading it never panics and every
// reference is an absolute http(s) or ws(s) URL without a fragment.
func FuzzRefs(f *testing.F) {
	f.Add([]byte(`<img src="a.png"><style>.a{background:url(b.png)}</style>`), false)
	f.Add([]byte(`@import "x.css"; @font-face{src:url(\66 .woff)}`), true)
	f.Fuzz(func(t *testing.T, body []byte, isCSS bool) {
		var rs []refs.Ref
		if isCSS {
			rs = refs.CSS("https://shop.test/a/b.css", body)
		} else {
			rs = refs.HTML("https://shop.test/a/", body)
		}
		for _, r := range rs {
			if !(strings.HasPrefix(r.URL, "http://") || strings.HasPrefix(r.URL, "https://") ||
				strings.HasPrefix(r.URL, "ws://") || strings.HasPrefix(r.URL, "wss://")) || strings.Contains(r.URL, "#") {
				t.Fatalf("reference %q is not an absolute URL without fragment", r.URL)
			}
		}
	})
}
