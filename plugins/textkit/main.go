// Command textkit is an Extism plugin of small text tools for agents: word_count, slugify and
// json_pick. Each export reads one JSON object as its input and writes one JSON object as its
// output; a bad input is an Extism error (return code 1 with a message), never a trap.
//
// Build it with the standard Go toolchain:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o textkit.wasm .
package main

//lint:file-ignore U1000 the host calls the //go:wasmexport functions, which staticcheck does not count as uses

import (
	"encoding/json"
	"fmt"

	"github.com/extism/go-pdk"
)

// main is empty: a c-shared (reactor) module is entered only through its exports.
func main() {}

// run decodes the call's input into in, runs f and writes its answer as the call's output.
// An error from decoding or from f becomes the call's Extism error.
func run[In any](f func(In) (any, error)) int32 {
	var in In
	if err := json.Unmarshal(pdk.Input(), &in); err != nil {
		pdk.SetErrorString(fmt.Sprintf("input is not the expected JSON object: %v", err))
		return 1
	}
	out, err := f(in)
	if err != nil {
		pdk.SetError(err)
		return 1
	}
	if err := pdk.OutputJSON(out); err != nil {
		pdk.SetError(err)
		return 1
	}
	return 0
}
