package sqlite

import "testing"

// BenchmarkFlowArgs measures what the column tables cost per row: binding
// one flow's values for its INSERT, without SQLite.
func BenchmarkFlowArgs(b *testing.B) {
	_, f, _, _, _ := oldRows()
	var args []any
	b.ReportAllocs()
	for b.Loop() {
		args = flowTable.args(args[:0], 1, &f)
	}
}
