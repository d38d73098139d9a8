package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/aiosys/aios/workflow"
)

// progressPrinter shows each change of a step's state on a line of aios's own, e.g.
// "aios: step build: running (attempt 1 of 3)".
type progressPrinter struct {
	show *stepEventPrinter
}

func (p *progressPrinter) event(e workflow.Event) {
	var b strings.Builder
	fmt.Fprintf(&b, "aios: step %s: %s", e.Step, e.State)
	switch e.State {
	case workflow.Running:
		if e.Attempts > 1 {
			fmt.Fprintf(&b, " (attempt %d of %d)", e.Attempt, e.Attempts)
		}
	case workflow.Retrying:
		fmt.Fprintf(&b, " in %s: attempt %d of %d %s after %s", roundDuration(e.Wait), e.Attempt, e.Attempts,
			describeOutcome(e.Outcome), roundDuration(e.Duration))
	case workflow.Confirming:
		b.WriteString(" (waiting for the operator)")
	case workflow.Succeeded, workflow.Failed, workflow.Recovered:
		if e.Outcome != nil {
			fmt.Fprintf(&b, ", %s", describeOutcome(e.Outcome))
			if e.Attempt > 1 {
				fmt.Fprintf(&b, " on attempt %d", e.Attempt)
			}
		}
		fmt.Fprintf(&b, " after %s", roundDuration(e.Duration))
	}
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(safeText(e.Reason))
	}
	p.show.notice(b.String())
}

// describeOutcome says how an attempt ended: "exited 0", "exited 3", or the host's reason.
func describeOutcome(o *workflow.Outcome) string {
	switch {
	case o == nil:
		return "did not run"
	case o.Err != nil:
		return fmt.Sprintf("stopped by the host, exit %d: %s", o.Code, safeText(o.Err.Error()))
	}
	return fmt.Sprintf("exited %d", o.Code)
}

// printPlan prints what --dry-run shows: the levels of the graph, each step with what it
// waits for, and the fallbacks.
func printPlan(w io.Writer, file string, wf *workflow.Workflow) {
	name := wf.Name
	if name == "" {
		name = file
	}
	levels := wf.Levels()
	fmt.Fprintf(w, "workflow %s: %s in %s (dry run: nothing runs)\n", safeText(name),
		plural(len(wf.Steps), "step"), plural(len(levels), "level"))
	for i, level := range levels {
		fmt.Fprintf(w, "level %d:\n", i+1)
		for _, s := range level {
			fmt.Fprintf(w, "  %s  %s%s\n", s.ID, safeText(s.Agent), stepNotes(s))
		}
	}
	for _, s := range wf.Steps {
		if s.FallbackFor() != "" {
			fmt.Fprintf(w, "fallback %s  %s  runs only if %s fails\n", s.ID, safeText(s.Agent), s.FallbackFor())
		}
	}
}

// stepNotes lists what sets a step apart in the plan.
func stepNotes(s *workflow.Step) string {
	var notes []string
	if len(s.Needs) > 0 {
		notes = append(notes, "needs "+strings.Join(s.Needs, ", "))
	}
	if len(s.Inputs) > 0 {
		notes = append(notes, "inputs "+strings.Join(s.Inputs, ", "))
	}
	if s.When != nil {
		notes = append(notes, "when "+s.When.String())
	}
	if s.Retries > 0 {
		notes = append(notes, plural(s.Retries, "retry"))
	}
	if s.Timeout > 0 {
		notes = append(notes, "timeout "+s.Timeout.String())
	}
	if s.Fallback != "" {
		notes = append(notes, "fallback "+s.Fallback)
	}
	if s.Confirm {
		notes = append(notes, "confirm")
	}
	if len(notes) == 0 {
		return ""
	}
	return "  (" + strings.Join(notes, "; ") + ")"
}

// printLeafOutputs writes the output of every step that ended well and that no other step
// takes further, headed "== STEP" when there are several. At a terminal control characters are
// escaped; into a pipe or file the bytes go as they are.
func printLeafOutputs(w io.Writer, wf *workflow.Workflow, rep *workflow.Report) {
	used := map[string]bool{}
	for _, s := range wf.Steps {
		for _, id := range s.After() {
			used[id] = true
		}
	}
	var leaves []workflow.StepResult
	for _, r := range rep.Steps {
		s := wf.Step(r.ID)
		if !used[r.ID] && s.FallbackFor() == "" && (r.State == workflow.Succeeded || r.State == workflow.Recovered) {
			leaves = append(leaves, r)
		}
	}
	for _, r := range leaves {
		if len(leaves) > 1 {
			fmt.Fprintf(w, "== %s\n", r.ID)
		}
		out := r.Output
		if IsTerminal(w) {
			out = []byte(safeLines(string(out)))
		}
		w.Write(out)
		if len(out) > 0 && out[len(out)-1] != '\n' {
			fmt.Fprintln(w)
		}
	}
}

// printStepTable prints the final table: every step's state, attempts, exit code, duration and
// tokens, and why it ended as it did.
func printStepTable(w io.Writer, rep *workflow.Report, r *stepRunner) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tSTATE\tATTEMPTS\tEXIT\tDURATION\tTOKENS\tNOTE")
	for _, s := range rep.Steps {
		exit := "-"
		if s.Attempts > 0 {
			exit = fmt.Sprint(s.Outcome.Code)
		}
		u := r.usageOf(s.ID)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%d\t%s\n", s.ID, s.State, s.Attempts, exit,
			roundDuration(s.Duration), u.InputTokens+u.OutputTokens, safeText(s.Reason))
	}
	tw.Flush()
}

// jsonWorkflow is what `aios run FILE.toml --json` prints: one object, once the workflow ended.
type jsonWorkflow struct {
	Event    string     `json:"event"` // "workflow"
	Name     string     `json:"name,omitempty"`
	ExitCode int        `json:"exit_code"`
	Error    string     `json:"error,omitempty"` // why no step ran: the file's problems, a flag, ...
	Steps    []jsonStep `json:"steps"`
}

type jsonStep struct {
	ID         string `json:"id"`
	State      string `json:"state"`
	Attempts   int    `json:"attempts"`
	ExitCode   *int   `json:"exit_code,omitempty"` // the last attempt's; absent when none ran
	Error      string `json:"error,omitempty"`     // the host's reason for ending the last attempt
	Reason     string `json:"reason,omitempty"`
	Output     string `json:"output"`
	DurationMS int64  `json:"duration_ms"`
	Usage      struct {
		Generations  int    `json:"generations"`
		InputTokens  int    `json:"input_tokens"`
		OutputTokens int    `json:"output_tokens"`
		Cost         string `json:"cost"`
	} `json:"usage"`
}

func writeWorkflowJSON(w io.Writer, wf *workflow.Workflow, rep *workflow.Report, r *stepRunner, code int) error {
	out := jsonWorkflow{Event: "workflow", Name: wf.Name, ExitCode: code, Steps: []jsonStep{}}
	for _, s := range rep.Steps {
		js := jsonStep{ID: s.ID, State: string(s.State), Attempts: s.Attempts, Reason: s.Reason,
			Output: string(s.Output), DurationMS: s.Duration.Milliseconds()}
		if s.Attempts > 0 {
			c := s.Outcome.Code
			js.ExitCode = &c
			if s.Outcome.Err != nil {
				js.Error = s.Outcome.Err.Error()
			}
			if s.Output == nil {
				js.Output = string(s.Outcome.Output)
			}
		}
		u := r.usageOf(s.ID)
		js.Usage.Generations, js.Usage.InputTokens, js.Usage.OutputTokens, js.Usage.Cost =
			u.Generations, u.InputTokens, u.OutputTokens, u.Cost.String()
		out.Steps = append(out.Steps, js)
	}
	return json.NewEncoder(w).Encode(out)
}

// writeWorkflowFailure writes --json's summary of a workflow that ended before any step ran:
// err is what runWorkflow returns, with its exit code.
func writeWorkflowFailure(w io.Writer, err error) {
	out := jsonWorkflow{Event: "workflow", ExitCode: ExitKernel, Error: err.Error(), Steps: []jsonStep{}}
	var ee *exitError
	if errors.As(err, &ee) {
		out.ExitCode = ee.code
	}
	var sig *interruptedError
	if errors.As(err, &sig) {
		out.ExitCode = sig.code()
	}
	_ = json.NewEncoder(w).Encode(out)
}

// indent indents every line of s by two spaces.
func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
