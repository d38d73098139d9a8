// Command aios runs WebAssembly agents on the aios kernel. See `aios --help`.
package main

import (
	"os"

	"github.com/aiosys/aios/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
