package scaffold

import (
	_ "embed"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/aiosys/aios/internal/scaffold/sdkcopy"
)

//go:generate go run ./gensdk ../../sdk-go sdk-go.txtar

// sdkArchive is the Go SDK (sdk-go) this binary was built with, as a txtar archive: sdk-go
// is its own module, so go:embed cannot reach its files; `go generate` copies them here and
// TestSDKArchiveCurrent fails when the copy falls behind.
//
//go:embed sdk-go.txtar
var sdkArchive []byte

// sdkModule is the Go SDK's module path.
const sdkModule = sdkcopy.Module

// sdkFiles are the embedded SDK's files.
func sdkFiles() []txtar.File { return txtar.Parse(sdkArchive).Files }
