package refs_test

import (
	"reflect"
	"testing"

	"github.com/glassbox-dev/glassbox/store/refs"
)

func TestRender(t *testing.T) {
	const base = "https://shop.test/a/"
	tests := []struct {
		name     string
		html     string
		blocking []refs.Ref
		images   []refs.SizedImage
	}{
		{"head-script-and-stylesheet-block",
			`<html><head><link rel=stylesheet href=s.css><script src=/a.js></script></head><body></body>`,
			[]refs.Ref{{URL: base + "s.css", Kind: refs.Stylesheet}, {URL: "https://shop.test/a.js", Kind: refs.Script}}, nil},
		{"async-defer-module-do-not-block",
			`<head><script async src=a.js></script><script defer src=b.js></script><script type=module src=c.js></script></head>`,
			nil, nil},
		{"print-stylesheet-does-not-block", // media=print is not for the screen
			`<head><link rel=stylesheet media=print href=p.css><link rel="alternate stylesheet" href=x.css></head>`, nil, nil},
		{"inline-script-does-not-block-by-fetching", `<head><script>var a=1</script></head>`, nil, nil},
		{"body-script-is-not-in-head", `<head><title>t</title></head><body><script src=late.js></script></body>`, nil, nil},
		{"implicit-body-ends-head", // no <body> tag: a <div> starts it
			`<title>t</title><div>x</div><script src=late.js></script>`, nil, nil},
		{"sized-images",
			`<body><img src=big.png width=64 height="64"><img src=free.png><img src=pct.png width=50% height=10></body>`,
			nil, []refs.SizedImage{{URL: base + "big.png", Width: 64, Height: 64}}},
		{"base-href-resolves", `<head><base href="https://cdn.test/"><script src=x.js></script></head>`,
			[]refs.Ref{{URL: "https://cdn.test/x.js", Kind: refs.Script}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := refs.Render(base, []byte(tt.html))
			if !reflect.DeepEqual(got.Blocking, tt.blocking) {
				t.Errorf("Blocking = %+v, want %+v", got.Blocking, tt.blocking)
			}
			if !reflect.DeepEqual(got.Images, tt.images) {
				t.Errorf("Images = %+v, want %+v", got.Images, tt.images)
			}
		})
	}
}
