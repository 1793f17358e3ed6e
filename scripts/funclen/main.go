// Command funclen lists the functions (and methods, and function literals
// assigned at top level) longer than a limit, longest first, in the Go
// files of the given folders (recursively; default "."). Generated files
// and anything under testdata, node_modules or a dot-folder are skipped.
//
// It is a report (`make check` runs it): the exit status is 0 unless
// -fail is given and some function is over the limit.
//
//	go run ./scripts/funclen [-max 80] [-fail] [DIR ...]
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// long is one function over the limit.
type long struct {
	pos   token.Position
	name  string
	lines int
}

func main() {
	max := flag.Int("max", 80, "longest allowed function, in lines (from func to closing brace)")
	fail := flag.Bool("fail", false, "exit 1 when a function is over -max")
	flag.Parse()
	dirs := flag.Args()
	if len(dirs) == 0 {
		dirs = []string{"."}
	}
	var found []long
	for _, dir := range dirs {
		got, err := scan(dir, *max)
		if err != nil {
			fmt.Fprintln(os.Stderr, "funclen:", err)
			os.Exit(2)
		}
		found = append(found, got...)
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].lines != found[j].lines {
			return found[i].lines > found[j].lines
		}
		return found[i].pos.String() < found[j].pos.String()
	})
	for _, f := range found {
		fmt.Printf("%s:%d: %s is %d lines (max %d)\n", f.pos.Filename, f.pos.Line, f.name, f.lines, *max)
	}
	fmt.Printf("funclen: %d function(s) over %d lines\n", len(found), *max)
	if *fail && len(found) > 0 {
		os.Exit(1)
	}
}

// scan walks dir and returns the functions over max lines.
func scan(dir string, max int) ([]long, error) {
	var found []long
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != dir && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if ast.IsGenerated(f) {
			return nil
		}
		found = append(found, inFile(fset, f, max)...)
		return nil
	})
	return found, err
}

// inFile returns the top-level functions of f over max lines.
func inFile(fset *token.FileSet, f *ast.File, max int) []long {
	var found []long
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		start, end := fset.Position(fn.Pos()), fset.Position(fn.End())
		if n := end.Line - start.Line + 1; n > max {
			found = append(found, long{pos: start, name: funcName(fn), lines: n})
		}
	}
	return found
}

// funcName is fn's name, with its receiver type for a method.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	t := fn.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	switch x := t.(type) {
	case *ast.Ident:
		return x.Name + "." + fn.Name.Name
	case *ast.IndexExpr:
		if id, ok := x.X.(*ast.Ident); ok {
			return id.Name + "." + fn.Name.Name
		}
	case *ast.IndexListExpr:
		if id, ok := x.X.(*ast.Ident); ok {
			return id.Name + "." + fn.Name.Name
		}
	}
	return fn.Name.Name
}
