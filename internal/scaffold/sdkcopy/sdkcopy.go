// Package sdkcopy turns the Go SDK's module directory into the archive that aios new carries.
// It is its own package so that the generator does not import the package embedding the
// archive it writes.
package sdkcopy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"
)

// Module is the Go SDK's module path.
const Module = "github.com/aiosys/aios/sdk-go"

// Archive reads the SDK module at dir (the repository's sdk-go) into the archive that
// `aios new` carries: go.mod, README.md and every Go file but tests, in name order.
func Archive(dir string) ([]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read the SDK: %w", err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && (n == "go.mod" || n == "README.md" ||
			strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go")) {
			names = append(names, n)
		}
	}
	if !slices.Contains(names, "go.mod") {
		return nil, fmt.Errorf("read the SDK: %s has no go.mod", dir)
	}
	slices.Sort(names)
	a := &txtar.Archive{Comment: []byte("The aios Go SDK (" + Module + "), copied from sdk-go by go generate. Do not edit.\n")}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, fmt.Errorf("read the SDK: %w", err)
		}
		if !bytes.HasSuffix(data, []byte("\n")) {
			data = append(data, '\n')
		}
		a.Files = append(a.Files, txtar.File{Name: n, Data: data})
	}
	out := txtar.Format(a)
	// A file line that reads as an archive marker would split a file in two.
	if got := txtar.Parse(out); len(got.Files) != len(a.Files) {
		return nil, fmt.Errorf("read the SDK: a file in %s holds a line like a txtar marker (-- NAME --)", dir)
	}
	return out, nil
}
