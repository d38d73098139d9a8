package policy

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/open-policy-agent/opa/v1/ast"
)

// value builds the input document as an OPA value directly, without a JSON round trip, so an
// uncached decision does not pay for reflection. It fails on an argument of unsupported type.
func (in *Input) value() (ast.Value, error) {
	args := ast.NewObjectWithCapacity(len(in.Args))
	for k, v := range in.Args {
		t, err := argTerm(v, 0)
		if err != nil {
			return nil, fmt.Errorf("argument %q: %w", k, err)
		}
		args.Insert(ast.StringTerm(k), t)
	}
	usage := ast.NewObjectWithCapacity(len(usageFields))
	for i, n := range in.Usage.values() {
		usage.Insert(ast.StringTerm(usageFields[i]), ast.InternedTerm(n))
	}
	a := &in.Agent
	caps := &a.Capabilities
	agent := ast.NewObject(
		strTerm("name", a.Name),
		strTerm("version", a.Version),
		strTerm("digest", a.Digest),
		strTerm("publisher", a.Publisher),
		strTerm("tenant", a.Tenant),
		[2]*ast.Term{ast.StringTerm("capabilities"), ast.NewTerm(ast.NewObject(
			listTerm("calls", caps.Calls),
			listTerm("models", caps.Models),
			listTerm("classes", caps.Classes),
			listTerm("tools", caps.Tools),
			listTerm("hosts", caps.Hosts),
			listTerm("memory", caps.Memory),
		))},
	)
	return ast.NewObject(
		[2]*ast.Term{ast.StringTerm("agent"), ast.NewTerm(agent)},
		strTerm("call", in.Call),
		[2]*ast.Term{ast.StringTerm("args"), ast.NewTerm(args)},
		[2]*ast.Term{ast.StringTerm("usage"), ast.NewTerm(usage)},
	), nil
}

func strTerm(k, v string) [2]*ast.Term {
	return [2]*ast.Term{ast.StringTerm(k), ast.StringTerm(v)}
}

func listTerm(k string, vs []string) [2]*ast.Term {
	ts := make([]*ast.Term, len(vs))
	for i, v := range vs {
		ts[i] = ast.StringTerm(v)
	}
	return [2]*ast.Term{ast.StringTerm(k), ast.ArrayTerm(ts...)}
}

// maxArgDepth bounds nesting in arguments; normalized arguments are shallow.
const maxArgDepth = 16

// argTerm converts one argument value. It accepts exactly the types Input.Args documents.
func argTerm(v any, depth int) (*ast.Term, error) {
	if depth > maxArgDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxArgDepth)
	}
	switch v := v.(type) {
	case nil:
		return ast.NullTerm(), nil
	case bool:
		return ast.BooleanTerm(v), nil
	case string:
		return ast.StringTerm(v), nil
	case int:
		return ast.IntNumberTerm(v), nil
	case int64:
		return ast.InternedTerm(v), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("number %v is not finite", v)
		}
		return ast.FloatNumberTerm(v), nil
	case json.Number:
		n, err := ast.NumberChecked(string(v))
		if err != nil {
			return nil, err
		}
		return ast.NewTerm(n), nil
	case []string:
		ts := make([]*ast.Term, len(v))
		for i, s := range v {
			ts[i] = ast.StringTerm(s)
		}
		return ast.ArrayTerm(ts...), nil
	case []any:
		ts := make([]*ast.Term, len(v))
		for i, e := range v {
			t, err := argTerm(e, depth+1)
			if err != nil {
				return nil, err
			}
			ts[i] = t
		}
		return ast.ArrayTerm(ts...), nil
	case map[string]string:
		o := ast.NewObjectWithCapacity(len(v))
		for k, s := range v {
			o.Insert(ast.StringTerm(k), ast.StringTerm(s))
		}
		return ast.NewTerm(o), nil
	case map[string]any:
		o := ast.NewObjectWithCapacity(len(v))
		for k, e := range v {
			t, err := argTerm(e, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", k, err)
			}
			o.Insert(ast.StringTerm(k), t)
		}
		return ast.NewTerm(o), nil
	default:
		return nil, fmt.Errorf("unsupported type %T", v)
	}
}
