package policy

import (
	_ "embed"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
)

// systemRego is the built-in default policy, package aios.system.
//
//go:embed system.rego
var systemRego string

// systemFile is the name compile errors and traces give the built-in policy.
const systemFile = "aios/system.rego"

// decisionQuery is the query every decision evaluates.
const decisionQuery = "data.aios.system.decision"

// reservedPackages may not be declared by operator policies: aios.system would replace the
// default policy and aios.config holds the configuration's grants.
var reservedPackages = []ast.Ref{
	ast.MustParseRef("data.aios.system"),
	ast.MustParseRef("data.aios.config"),
}

// parseSystem parses the built-in policy.
func parseSystem(caps *ast.Capabilities) (*ast.Module, error) {
	m, err := ast.ParseModuleWithOpts(systemFile, systemRego, ast.ParserOptions{RegoVersion: ast.RegoV1, Capabilities: caps})
	if err != nil {
		return nil, fmt.Errorf("built-in policy: %w", err)
	}
	return m, nil
}
