package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Explain decides in without the cache and returns the decision with OPA's evaluation trace,
// for `aios policy eval`. Neither the cache nor its counters are touched.
func (e *Engine) Explain(ctx context.Context, in Input) (Decision, string, error) {
	tracer := topdown.NewBufferTracer()
	d, err := e.cur.Load().eval(ctx, &in, rego.EvalQueryTracer(tracer))
	var trace strings.Builder
	topdown.PrettyTraceWithLocation(&trace, *tracer)
	if err != nil {
		return errorDecision(err), trace.String(), fmt.Errorf("policy: %w", err)
	}
	return d, trace.String(), nil
}

// ReadInput decodes an input document (the JSON docs/POLICY.md specifies) from r, refusing
// unknown fields so that a misspelt field does not silently change a decision. Numbers in
// arguments stay json.Number.
func ReadInput(r io.Reader) (Input, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var in Input
	if err := dec.Decode(&in); err != nil {
		return Input{}, fmt.Errorf("read policy input: %w", err)
	}
	return in, nil
}
