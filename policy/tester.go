package policy

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// RunTests runs the Rego unit tests (rules named test_*) found in dirs with OPA's tester and
// writes OPA's report to w; it backs `aios policy test`. The built-in default policy is loaded
// beside the files, so tests can evaluate data.aios.system.decision with their own input and
// grants (`with data.aios.config.grants as [...]`). Policies compile under the same
// restrictions as in the engine: no built-ins that reach the network or the host.
//
// passed and failed count test results (an erroring test counts as failed, a skipped todo_test_
// as neither); err reports files
// that cannot be loaded or compiled, or a report that cannot be written.
func RunTests(ctx context.Context, dirs []string, w io.Writer) (passed, failed int, err error) {
	caps := capabilities(false)
	src, err := loadSources(dirs, caps, true)
	if err != nil {
		return 0, 0, err
	}
	sys, err := parseSystem(caps)
	if err != nil {
		return 0, 0, err
	}
	src.modules[systemFile] = sys
	// The runner compiles the modules itself, adding its test stages to this compiler.
	c := ast.NewCompiler().WithCapabilities(caps).WithEnablePrintStatements(true).WithDefaultRegoVersion(ast.RegoV1)
	src.data["aios"] = map[string]any{"config": map[string]any{"grants": []any{}}}
	store := inmem.NewFromObject(src.data)
	txn, err := store.NewTransaction(ctx, storage.WriteParams)
	if err != nil {
		return 0, 0, fmt.Errorf("policy tests: %w", err)
	}
	defer store.Abort(ctx, txn)

	ch, err := tester.NewRunner().
		SetCompiler(c).
		SetStore(store).
		SetModules(src.modules).
		SetParallel(1).
		RunTests(ctx, txn)
	if errs := (ast.Errors{}); errors.As(err, &errs) {
		return 0, 0, compileError(errs, caps)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("policy tests: %w", err)
	}
	counted := make(chan *tester.Result)
	reported := make(chan error, 1)
	go func() {
		reported <- tester.PrettyReporter{Output: w, FailureLine: true}.Report(counted)
	}()
	for r := range ch {
		switch {
		case r.Skip:
		case r.Pass():
			passed++
		default:
			failed++
		}
		counted <- r
	}
	close(counted)
	if err := <-reported; err != nil {
		return passed, failed, fmt.Errorf("policy tests: report: %w", err)
	}
	return passed, failed, nil
}
