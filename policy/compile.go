package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// compiled is one loaded policy: the prepared decision query, its own decision cache (nil when
// caching is off or the policy is not deterministic) and which usage fields key the cache.
type compiled struct {
	query rego.PreparedEvalQuery
	usage usageMask
	cache *decisionCache
}

// compile loads cfg's files, compiles them with the built-in policy against caps and prepares
// the decision query. Compile errors carry the compiler's messages.
func compile(ctx context.Context, cfg *Config, caps *ast.Capabilities) (*compiled, error) {
	sys, err := parseSystem(caps)
	if err != nil {
		return nil, err
	}
	return compileWith(ctx, cfg, caps, sys)
}

// compileWith is compile with sys in place of the built-in policy.
func compileWith(ctx context.Context, cfg *Config, caps *ast.Capabilities, sys *ast.Module) (*compiled, error) {
	src, err := loadSources(cfg.Paths, caps, false)
	if err != nil {
		return nil, err
	}
	src.modules[systemFile] = sys
	c, err := compileModules(src.modules, caps, false)
	if err != nil {
		return nil, err
	}
	src.data["aios"] = map[string]any{"config": map[string]any{
		"grants":      cfg.grantsData(),
		"grant_index": cfg.grantIndex(),
	}}
	store, err := newStore(ctx, src.data)
	if err != nil {
		return nil, err
	}
	q, err := rego.New(
		rego.Compiler(c),
		rego.Store(store),
		rego.Query(decisionQuery),
		rego.StrictBuiltinErrors(true),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare policy query: %w", err)
	}
	a := analyze(c.Modules)
	p := &compiled{query: q, usage: a.usage}
	if n := cfg.cacheSize(); n > 0 && a.deterministic {
		if p.cache, err = newDecisionCache(n); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// newStore holds data for evaluation as OPA values, so that reading data (the grants, operator
// data) costs no conversion on every decision. data must come from JSON or YAML documents and
// Config.grantsData: the store does not check it.
func newStore(ctx context.Context, data map[string]any) (storage.Store, error) {
	store := inmem.NewWithOpts(inmem.OptReturnASTValuesOnRead(true))
	err := storage.Txn(ctx, store, storage.WriteParams, func(txn storage.Transaction) error {
		return store.Write(ctx, txn, storage.AddOp, storage.RootPath, data)
	})
	if err != nil {
		return nil, fmt.Errorf("policy data: %w", err)
	}
	return store, nil
}

// compileModules compiles modules against caps. A failure returns the compiler's errors, with a
// hint when a disabled host built-in is the cause.
func compileModules(modules map[string]*ast.Module, caps *ast.Capabilities, withPrint bool) (*ast.Compiler, error) {
	c := ast.NewCompiler().
		WithCapabilities(caps).
		WithEnablePrintStatements(withPrint).
		WithDefaultRegoVersion(ast.RegoV1)
	if c.Compile(modules); c.Failed() {
		return nil, compileError(c.Errors, caps)
	}
	return c, nil
}

// ErrCompile wraps every error that comes from compiling policies.
var ErrCompile = errors.New("policy does not compile")

func compileError(errs ast.Errors, caps *ast.Capabilities) error {
	msg := errs.Error()
	if caps.AllowNet != nil {
		for name := range hostBuiltins {
			if strings.Contains(msg, "undefined function "+name) {
				return fmt.Errorf("%w: %s\n(%s)", ErrCompile, msg, hostAccessHint)
			}
		}
	}
	return fmt.Errorf("%w: %s", ErrCompile, msg)
}
