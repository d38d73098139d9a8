//go:build tools

// Package tools pins the versions of the programs aios's tests and builds run, so that
// `go build` in this module reproduces them exactly. Nothing imports it.
package tools

import (
	_ "github.com/llm-d/llm-d-inference-sim/cmd/llm-d-inference-sim"
)
