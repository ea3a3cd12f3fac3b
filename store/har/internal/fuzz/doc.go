// Package fuzz holds the fuzz targets of store/har. They live apart from
// har's own tests, which use a real SQLite database, so that fuzzing (which
// rebuilds every package of its test binary with coverage instrumentation)
// never recompiles SQLite's C source.
package fuzz
