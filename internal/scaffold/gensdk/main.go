// Command gensdk writes the Go SDK archive that `aios new` carries:
//
//	go run ./gensdk SDK_DIR OUT.txtar
//
// It is run by `go generate ./internal/scaffold`.
package main

import (
	"fmt"
	"os"

	"github.com/aiosys/aios/internal/scaffold/sdkcopy"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gensdk SDK_DIR OUT.txtar")
		os.Exit(2)
	}
	data, err := sdkcopy.Archive(os.Args[1])
	if err == nil {
		err = os.WriteFile(os.Args[2], data, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gensdk:", err)
		os.Exit(1)
	}
}
