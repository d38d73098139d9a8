package cli

import "github.com/aiosys/aios/workflow"

// workflowPlan is --dry-run --json's plan: the graph's levels, in the order the steps may run.
type workflowPlan struct {
	Event  string          `json:"event"` // "plan"
	Name   string          `json:"name,omitempty"`
	Steps  int             `json:"steps"`
	Levels [][]plannedStep `json:"levels"`
	// Fallbacks are the steps that run only in place of a failed one.
	Fallbacks []plannedStep `json:"fallbacks,omitempty"`
}

// plannedStep is one step of a plan, with what sets it apart.
type plannedStep struct {
	ID          string   `json:"id"`
	Agent       string   `json:"agent"`
	Needs       []string `json:"needs,omitempty"`
	Inputs      []string `json:"inputs,omitempty"`
	When        string   `json:"when,omitempty"`
	Retries     int      `json:"retries,omitempty"`
	TimeoutMS   int64    `json:"timeout_ms,omitempty"`
	Fallback    string   `json:"fallback,omitempty"`
	FallbackFor string   `json:"fallback_for,omitempty"`
	Confirm     bool     `json:"confirm,omitempty"`
}

// planOf is wf's plan as --dry-run --json prints it.
func planOf(wf *workflow.Workflow) workflowPlan {
	p := workflowPlan{Event: "plan", Name: wf.Name, Steps: len(wf.Steps), Levels: [][]plannedStep{}}
	for _, level := range wf.Levels() {
		var steps []plannedStep
		for _, s := range level {
			steps = append(steps, plannedStepOf(s))
		}
		p.Levels = append(p.Levels, steps)
	}
	for _, s := range wf.Steps {
		if s.FallbackFor() != "" {
			p.Fallbacks = append(p.Fallbacks, plannedStepOf(s))
		}
	}
	return p
}

func plannedStepOf(s *workflow.Step) plannedStep {
	ps := plannedStep{ID: s.ID, Agent: s.Agent, Needs: s.Needs, Inputs: s.Inputs, Retries: s.Retries,
		TimeoutMS: s.Timeout.Milliseconds(), Fallback: s.Fallback, FallbackFor: s.FallbackFor(), Confirm: s.Confirm}
	if s.When != nil {
		ps.When = s.When.String()
	}
	return ps
}
