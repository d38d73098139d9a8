package policy

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
)

// sources are parsed policy modules and data documents.
type sources struct {
	modules map[string]*ast.Module
	data    map[string]any
}

// loadSources reads Rego and data files from paths. Test files (*_test.rego) are included only
// when withTests is set. Operator modules may not declare the reserved packages and operator
// data may not live under data.aios.
func loadSources(paths []string, caps *ast.Capabilities, withTests bool) (*sources, error) {
	src := &sources{modules: map[string]*ast.Module{}, data: map[string]any{}}
	if len(paths) == 0 {
		return src, nil
	}
	skip := func(_ string, info fs.FileInfo, _ int) bool {
		return !info.IsDir() && !withTests && strings.HasSuffix(info.Name(), "_test.rego")
	}
	res, err := loader.NewFileLoader().
		WithRegoVersion(ast.RegoV1).
		WithCapabilities(caps).
		WithProcessAnnotation(true).
		Filtered(paths, skip)
	if err != nil {
		return nil, fmt.Errorf("load policy files: %w", err)
	}
	for name, f := range res.Modules {
		pkg := f.Parsed.Package.Path
		for _, r := range reservedPackages {
			// Refuse the reserved packages, their subpackages, and their parents (package aios
			// could define a rule named system or config).
			if pkg.HasPrefix(r) || r.HasPrefix(pkg) {
				return nil, fmt.Errorf("load policy files: %s: package %s is reserved for aios; operator rules go in package aios.policy", name, pkg)
			}
		}
		src.modules[name] = f.Parsed
	}
	if _, ok := res.Documents["aios"]; ok {
		return nil, fmt.Errorf("load policy files: data under data.aios is reserved for aios; put operator data elsewhere")
	}
	src.data = res.Documents
	return src, nil
}
