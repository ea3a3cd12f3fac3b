// Command sizecheck keeps glassbox's source readable: no non-test Go file
// over 500 lines and no function over 60 lines, except flat tables (a
// function whose body is one return of composite literals, or one switch
// whose every case only returns, after at most three short statements).
// It prints each offender and exits 1; `make lint` runs it.
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const (
	maxFileLines = 500
	maxFuncLines = 60
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	var bad []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		found, err := check(p)
		bad = append(bad, found...)
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sizecheck:", err)
		os.Exit(2)
	}
	for _, b := range bad {
		fmt.Println("size rule:", b)
	}
	if len(bad) > 0 {
		os.Exit(1)
	}
	fmt.Println("size rules: ok")
}

// check parses one file and lists what breaks the rules.
func check(path string) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var bad []string
	if n := fset.File(f.Pos()).LineCount(); n > maxFileLines {
		bad = append(bad, fmt.Sprintf("%s has %d lines (at most %d outside tests): split it by concern", path, n, maxFileLines))
	}
	ast.Inspect(f, func(n ast.Node) bool {
		name, body := funcOf(n)
		if body == nil {
			return true
		}
		lines := fset.Position(body.Rbrace).Line - fset.Position(body.Lbrace).Line - 1
		if lines > maxFuncLines && !flatTable(body) {
			bad = append(bad, fmt.Sprintf("%s:%d: %s has %d lines (at most %d, flat tables excepted)",
				path, fset.Position(n.Pos()).Line, name, lines, maxFuncLines))
		}
		return true
	})
	return bad, nil
}

func funcOf(n ast.Node) (string, *ast.BlockStmt) {
	switch fn := n.(type) {
	case *ast.FuncDecl:
		return fn.Name.Name, fn.Body
	case *ast.FuncLit:
		return "a function literal", fn.Body
	}
	return "", nil
}

// flatTable reports whether a body is data rather than logic: after at
// most three short statements, a single return of composite literals, or
// a single switch whose cases only return.
func flatTable(body *ast.BlockStmt) bool {
	stmts := body.List
	if len(stmts) == 0 || len(stmts) > 4 {
		return false
	}
	last := stmts[len(stmts)-1]
	if len(stmts) >= 2 { // a switch followed by the default return
		if sw, ok := stmts[len(stmts)-2].(*ast.SwitchStmt); ok {
			_, ret := last.(*ast.ReturnStmt)
			return ret && casesOnlyReturn(sw.Body)
		}
	}
	switch s := last.(type) {
	case *ast.ReturnStmt:
		for _, r := range s.Results {
			if _, ok := r.(*ast.CompositeLit); !ok {
				return false
			}
		}
		return len(s.Results) > 0
	case *ast.SwitchStmt:
		return casesOnlyReturn(s.Body)
	}
	return false
}

func casesOnlyReturn(b *ast.BlockStmt) bool {
	for _, c := range b.List {
		cc, ok := c.(*ast.CaseClause)
		if !ok || len(cc.Body) != 1 {
			return false
		}
		if _, ok := cc.Body[0].(*ast.ReturnStmt); !ok {
			return false
		}
	}
	return true
}
