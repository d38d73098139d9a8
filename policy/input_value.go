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
	args := ast.NewObjectWithCapacity(len(in.Args) + 1)
	rawHost, hasHost := in.Args[hostArg].(string)
	for k, v := range in.Args {
		if k == addressClassArg || (hasHost && k == hostArg) {
			continue // set from the host below, never taken from the caller
		}
		t, err := argTerm(v, 0)
		if err != nil {
			return nil, fmt.Errorf("argument %q: %w", k, err)
		}
		args.Insert(ast.StringTerm(k), t)
	}
	if hasHost {
		host, class := NormalizeHost(rawHost)
		args.Insert(ast.StringTerm(hostArg), ast.StringTerm(host))
		args.Insert(ast.StringTerm(addressClassArg), ast.StringTerm(class))
	}
	usage, tenantUsage := usageObject(in.Usage), usageObject(in.TenantUsage)
	a := &in.Agent
	caps := &a.Capabilities
	agent := ast.NewObject(
		[2]*ast.Term{keys.name, ast.StringTerm(a.Name)},
		[2]*ast.Term{keys.version, ast.StringTerm(a.Version)},
		[2]*ast.Term{keys.digest, ast.StringTerm(a.Digest)},
		[2]*ast.Term{keys.publisher, ast.StringTerm(a.Publisher)},
		[2]*ast.Term{keys.tenant, ast.StringTerm(a.Tenant)},
		[2]*ast.Term{keys.capabilities, ast.NewTerm(ast.NewObject(
			[2]*ast.Term{keys.calls, listTerm(caps.Calls)},
			[2]*ast.Term{keys.models, listTerm(caps.Models)},
			[2]*ast.Term{keys.classes, listTerm(caps.Classes)},
			[2]*ast.Term{keys.tools, listTerm(caps.Tools)},
			[2]*ast.Term{keys.hosts, listTerm(caps.Hosts)},
			[2]*ast.Term{keys.memory, listTerm(caps.Memory)},
		))},
	)
	return ast.NewObject(
		[2]*ast.Term{keys.agent, ast.NewTerm(agent)},
		[2]*ast.Term{keys.call, ast.StringTerm(in.Call)},
		[2]*ast.Term{keys.args, ast.NewTerm(args)},
		[2]*ast.Term{keys.usageDoc, ast.NewTerm(usage)},
		[2]*ast.Term{keys.tenantUsageDoc, ast.NewTerm(tenantUsage)},
	), nil
}

func usageObject(u Usage) ast.Object {
	o := ast.NewObjectWithCapacity(len(usageFields))
	for i, n := range u.values() {
		o.Insert(keys.usage[i], ast.InternedTerm(n))
	}
	return o
}

// hostArg is the argument naming the host a tool call reaches; policy sees it in canonical
// form, with its class in addressClassArg (see NormalizeHost).
const (
	hostArg         = "host"
	addressClassArg = "address_class"
)

// keys are the input document's fixed keys, built once: OPA never modifies a term it is
// given, so every input can share them.
var keys = struct {
	agent, call, args, usageDoc, tenantUsageDoc *ast.Term
	name, version, digest, publisher, tenant    *ast.Term
	capabilities, calls, models, classes, tools *ast.Term
	hosts, memory                               *ast.Term
	usage                                       [len(usageFields)]*ast.Term
}{
	agent: ast.StringTerm("agent"), call: ast.StringTerm("call"), args: ast.StringTerm("args"),
	usageDoc: ast.StringTerm("usage"), tenantUsageDoc: ast.StringTerm("tenant_usage"),
	name: ast.StringTerm("name"), version: ast.StringTerm("version"), digest: ast.StringTerm("digest"),
	publisher: ast.StringTerm("publisher"), tenant: ast.StringTerm("tenant"),
	capabilities: ast.StringTerm("capabilities"), calls: ast.StringTerm("calls"),
	models: ast.StringTerm("models"), classes: ast.StringTerm("classes"), tools: ast.StringTerm("tools"),
	hosts: ast.StringTerm("hosts"), memory: ast.StringTerm("memory"),
	usage: func() (ts [len(usageFields)]*ast.Term) {
		for i, f := range usageFields {
			ts[i] = ast.StringTerm(f)
		}
		return ts
	}(),
}

func listTerm(vs []string) *ast.Term {
	ts := make([]*ast.Term, len(vs))
	for i, v := range vs {
		ts[i] = ast.StringTerm(v)
	}
	return ast.ArrayTerm(ts...)
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
