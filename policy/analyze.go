package policy

import (
	"github.com/open-policy-agent/opa/v1/ast"
)

// analysis is what the compiled modules tell the decision cache.
type analysis struct {
	usage         usageMask // usage fields some rule reads
	deterministic bool      // no rule calls a non-deterministic built-in (time, random, ...)
}

// analyze inspects compiled modules. It errs on the side of the cache being correct: a rule
// reading input as a whole, input.usage as a whole, or with a computed key puts all usage
// fields into the key.
func analyze(modules map[string]*ast.Module) analysis {
	a := analysis{deterministic: true}
	var vis *ast.GenericVisitor
	vis = ast.NewGenericVisitor(func(x any) bool {
		switch x := x.(type) {
		case ast.Ref:
			a.readsRef(x)
			for _, t := range x[1:] {
				vis.Walk(t)
			}
			return true
		case ast.Var:
			if x.Equal(ast.InputRootDocument.Value) {
				a.readsAllUsage()
			}
		case *ast.Expr:
			if x.IsCall() {
				if b, ok := ast.BuiltinMap[x.Operator().String()]; ok && b.Nondeterministic {
					a.deterministic = false
				}
			}
		case ast.Call:
			if b, ok := ast.BuiltinMap[x[0].String()]; ok && b.Nondeterministic {
				a.deterministic = false
			}
		}
		return false
	})
	for _, m := range modules {
		vis.Walk(m)
	}
	return a
}

func (a *analysis) readsAllUsage() {
	for i := range a.usage {
		a.usage[i] = true
	}
}

// readsRef records the usage fields ref reads, if it is a reference into input.
func (a *analysis) readsRef(ref ast.Ref) {
	if !ref.HasPrefix(ast.InputRootRef) {
		return
	}
	if len(ref) < 2 {
		a.readsAllUsage()
		return
	}
	top, ok := ref[1].Value.(ast.String)
	if !ok {
		a.readsAllUsage()
		return
	}
	var offset int
	switch top {
	case "usage":
	case "tenant_usage":
		offset = len(usageFields)
	default:
		return
	}
	if len(ref) < 3 {
		a.readsAllUsage()
		return
	}
	field, ok := ref[2].Value.(ast.String)
	if !ok {
		a.readsAllUsage()
		return
	}
	for i, f := range usageFields {
		if string(field) == f {
			a.usage[offset+i] = true
		}
	}
}
