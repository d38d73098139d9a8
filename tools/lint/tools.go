//go:build tools

// Package lint pins staticcheck, which `make lint` builds from this module. It is apart from
// tools/ so that its dependencies never move the LLM simulator's.
package lint

import (
	_ "honnef.co/go/tools/cmd/staticcheck"
)
