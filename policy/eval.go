package policy

import (
	"context"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// eval evaluates the decision query for in, with extra evaluation options (Explain adds a
// tracer).
//
// # Notes
//
// By default PreparedEvalQuery.Eval collects metrics, starts a goroutine per evaluation to watch
// ctx, and converts the result to Go maps. A decision needs none of that, and on the uncached
// path those costs are as large as the policy's own: eval records no metrics, cancels through
// context.AfterFunc (no goroutine unless ctx is cancelled), and reads the result as an OPA value.
func (p *compiled) eval(ctx context.Context, in *Input, opts ...rego.EvalOption) (Decision, error) {
	v, err := in.value()
	if err != nil {
		return Decision{}, fmt.Errorf("input: %w", err)
	}
	cancel := topdown.NewCancel()
	stop := context.AfterFunc(ctx, cancel.Cancel)
	defer stop()
	rs, err := p.query.Eval(ctx, append(opts,
		rego.EvalParsedInput(v),
		rego.EvalMetrics(metrics.NoOp()),
		rego.EvalExternalCancel(cancel),
		rego.EvalGenerateJSON(keepTerm),
	)...)
	if err != nil {
		return Decision{}, fmt.Errorf("evaluate: %w", err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return Decision{}, fmt.Errorf("evaluate: %s is undefined", decisionQuery)
	}
	t, ok := rs[0].Expressions[0].Value.(*ast.Term)
	if !ok {
		return Decision{}, fmt.Errorf("evaluate: result is %T, not a term", rs[0].Expressions[0].Value)
	}
	return decisionFromValue(t.Value)
}

// keepTerm leaves a query result as the OPA term it is, for decisionFromValue.
func keepTerm(t *ast.Term, _ *rego.EvalContext) (any, error) {
	return t, nil
}
