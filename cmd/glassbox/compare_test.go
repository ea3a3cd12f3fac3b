package main_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/compare"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// checkCompare compares a page's first load (a) with its reload (b), as
// recorded by the browser suite: every 304 of the reload is listed with the
// bytes it saved, and every total is the sum of its rows.
func checkCompare(t *testing.T, home string, db *sqlite.DB, a, b store.Page) {
	t.Helper()
	ctx := context.Background()
	sa, err := compare.LoadPage(ctx, db, 1, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := compare.LoadPage(ctx, db, 1, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	res := compare.Compare(sa, sb)
	var bytesA, bytesB int64
	revalidated := 0
	for _, r := range res.Rows {
		if r.A != nil {
			bytesA += r.A.RespBody.Size
		}
		if r.B != nil {
			bytesB += r.B.RespBody.Size
			if r.B.Status == 304 {
				revalidated++
			}
		}
	}
	if bytesA != res.TotA.Bytes || bytesB != res.TotB.Bytes || revalidated != res.TotB.Revalidated || revalidated == 0 {
		t.Errorf("totals %d/%d bytes, %d revalidated; rows add up to %d/%d bytes, %d revalidated",
			res.TotA.Bytes, res.TotB.Bytes, res.TotB.Revalidated, bytesA, bytesB, revalidated)
	}
	out, errOut, code := glassbox(t, home, "compare", strconv.FormatInt(a.ID, 10), strconv.FormatInt(b.ID, 10))
	if code != 0 {
		t.Fatalf("compare: %s", errOut)
	}
	saved := out[strings.Index(out, "## What the browser's cache saved"):]
	saved = saved[:strings.Index(saved, "\n## ")]
	for _, r := range res.Rows {
		if r.A != nil && r.B != nil && r.B.Status == 304 && r.A.Status != 304 && !strings.Contains(saved, compare.Key(r.B)) {
			t.Errorf("the revalidated %s is not listed with what it saved:\n%s", compare.Key(r.B), saved)
		}
	}
	if !strings.Contains(saved, "| total |") {
		t.Errorf("no total of the bytes saved:\n%s", saved)
	}
}
