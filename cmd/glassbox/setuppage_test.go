package main_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The setup page fits a 1024 px window: no sideways scrolling, its long
// commands wrapped (issue 19, item 7: it scrolled sideways at 1200 px).
func TestSetupPageFits1024(t *testing.T) {
	browser := chromium(t)
	p := startProxy(t, t.TempDir())
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(browser), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1024, 800))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout (chromedp's rule)
		t.Fatalf("starting Chromium: %v", err)
	}
	tctx, cancelT := context.WithTimeout(ctx, 30*time.Second)
	defer cancelT()
	if err := chromedp.Do(tctx, chromedp.EmulateViewport(1024, 800), chromedp.Navigate(fmt.Sprintf("http://%s/", p.addr))); err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(tctx, chromedp.Text("h1"))
	if err != nil {
		t.Fatal(err)
	}
	widths, err := chromedp.Run(tctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	if err != nil {
		t.Fatal(err)
	}
	if heading != "glassbox" || len(widths) != 2 {
		t.Fatalf("not the setup page: %q %v", heading, widths)
	}
	if widths[0] > widths[1] {
		t.Errorf("the setup page is %d px wide in a %d px window: it scrolls sideways", widths[0], widths[1])
	}
}
