// Command pipeline is the agent behind every step of the deployment pipeline workflow
// (pipeline.toml): the step's ROLE (security, monitoring, infrastructure, build, deploy or
// rollback) picks the instructions it gives the LLM along with its input, and the answer is
// its output. A check fails, exiting 2, when the model's answer starts with FAIL.
//
//	make samples    # builds bin/samples/pipeline.wasm
//	aios run samples/pipeline/pipeline.toml --yes
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	aios "github.com/aiosys/aios/sdk-go"
)

// instructions are what each role asks of the model, before the step's input.
var instructions = map[string]string{
	"security":       "Review this service for security risks. Start with PASS or FAIL.",
	"monitoring":     "Check that this service has health checks, metrics and alerts. Start with PASS or FAIL.",
	"infrastructure": "Check that the infrastructure for this service is ready. Start with PASS or FAIL.",
	"build":          "Summarise these check reports as release notes.",
	"deploy":         "Write the deployment announcement for these release notes.",
	"rollback":       "The deployment failed. Write the rollback notice.",
}

func main() {
	code, err := run(context.Background())
	if err != nil {
		aios.Errorf("pipeline: %v", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(ctx context.Context) (int, error) {
	role := os.Getenv("ROLE")
	ask, ok := instructions[role]
	if !ok {
		return 0, fmt.Errorf("ROLE %q: want one of security, monitoring, infrastructure, build, deploy, rollback", role)
	}
	in, err := aios.Input()
	if err != nil {
		return 0, err
	}
	aios.Infof("%s: asking the model", role)
	resp, err := aios.Generate(ctx, aios.Prompt(ask+"\n\n"+reports(in)))
	if err != nil {
		return 0, err
	}
	if err := aios.Outputf("%s\n", strings.TrimSpace(resp.Text)); err != nil {
		return 0, err
	}
	if strings.HasPrefix(strings.TrimSpace(resp.Text), "FAIL") {
		aios.Warnf("%s: the check failed", role)
		return 2, nil
	}
	return 0, nil
}

// reports turns the input of a step with inputs (a JSON object of the earlier steps' outputs,
// by step id) into one section per step; any other input is kept as it is.
func reports(in []byte) string {
	var byStep map[string]string
	if json.Unmarshal(in, &byStep) != nil {
		return string(in)
	}
	var b strings.Builder
	for _, id := range slices.Sorted(maps.Keys(byStep)) {
		fmt.Fprintf(&b, "## %s\n%s\n", id, strings.TrimSpace(byStep[id]))
	}
	return b.String()
}
