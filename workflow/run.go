package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// DefaultParallel is how many attempts run at once when Options.Parallel is 0.
const DefaultParallel = 64

// Runner runs one attempt of one step to its end. It must return when ctx is cancelled.
type Runner interface {
	Run(ctx context.Context, s *Step, input []byte, attempt int) Outcome
}

// RunnerFunc is a Runner as a function.
type RunnerFunc func(ctx context.Context, s *Step, input []byte, attempt int) Outcome

// Run calls f.
func (f RunnerFunc) Run(ctx context.Context, s *Step, input []byte, attempt int) Outcome {
	return f(ctx, s, input, attempt)
}

// Options adjust a workflow run.
type Options struct {
	// Input is the input of steps that have neither input nor inputs.
	Input []byte
	// Parallel bounds the attempts running at once; 0 means DefaultParallel.
	Parallel int
	// Confirm asks the operator whether a step with confirm = true may start. Nil declines
	// every such step.
	Confirm func(ctx context.Context, s *Step) (bool, error)
	// Observe receives every change of a step's state, from several goroutines one at a time.
	// May be nil.
	Observe func(Event)
	// Backoff is the wait before retry n (from 1); nil means 200ms doubled each retry, at most 10s.
	Backoff func(n int) time.Duration
}

// DefaultBackoff is the wait before retry n (from 1) when Options.Backoff is nil: 200ms,
// doubled each retry, at most 10s.
func DefaultBackoff(n int) time.Duration {
	d := 200 * time.Millisecond
	for i := 1; i < n && d < 10*time.Second; i++ {
		d *= 2
	}
	return min(d, 10*time.Second)
}

// Run runs w to its end with r and returns every step's result. A step starts as soon as the
// steps it comes after have ended (and those it needs ended well); a cancelled ctx stops the
// running steps and starts no more.
func Run(ctx context.Context, w *Workflow, r Runner, o Options) *Report {
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	e := &execution{ctx: ctx, w: w, r: r, o: o, sem: make(chan struct{}, o.Parallel),
		done: make(chan finished), results: map[string]*StepResult{}, waiting: map[string]int{},
		dependents: map[string][]string{}, replaced: map[string]finished{}}
	for _, s := range w.Steps {
		e.waiting[s.ID] = len(s.after)
		for _, id := range s.after {
			e.dependents[id] = append(e.dependents[id], s.ID)
		}
	}
	for _, s := range w.Steps {
		if s.fallbackFor == "" && len(s.after) == 0 {
			e.consider(s)
		}
	}
	for e.active > 0 {
		f := <-e.done
		e.active--
		e.finish(f)
	}
	rep := &Report{}
	for _, s := range w.Steps {
		res := e.results[s.ID]
		if res == nil {
			res = &StepResult{ID: s.ID, State: Skipped, Reason: "not needed: " + s.fallbackFor + " did not fail"}
			if s.fallbackFor == "" {
				res = &StepResult{ID: s.ID, State: Cancelled, Reason: "never started"}
			}
		}
		rep.Steps = append(rep.Steps, *res)
	}
	return rep
}

// execution is one run of a workflow. Only Run's goroutine touches its maps; each started step
// runs on a goroutine of its own and reports on done.
type execution struct {
	ctx context.Context
	w   *Workflow
	r   Runner
	o   Options
	sem chan struct{}
	mu  sync.Mutex // serialises Observe

	done       chan finished
	active     int
	results    map[string]*StepResult
	waiting    map[string]int      // steps still to end before a step is considered
	dependents map[string][]string // the steps that come after a step
	replaced   map[string]finished // by fallback id: the failed step it runs in place of
}

// finished is a step's result as its goroutine reports it, with the input it had.
type finished struct {
	res   StepResult
	input []byte
}

// consider decides a step whose predecessors have all ended: cancel, skip or start it.
func (e *execution) consider(s *Step) {
	if e.ctx.Err() != nil {
		e.final(StepResult{ID: s.ID, State: Cancelled, Reason: "the workflow was interrupted"})
		return
	}
	for _, id := range append(append([]string(nil), s.Needs...), s.Inputs...) {
		if st := e.results[id].State; !st.ok() {
			e.final(StepResult{ID: s.ID, State: Skipped, Reason: fmt.Sprintf("needs %s, which %s", id, pastTense(st))})
			return
		}
	}
	if s.When != nil && !s.When.Eval(e.exit) {
		e.final(StepResult{ID: s.ID, State: Skipped, Reason: "when " + s.When.String() + " is false"})
		return
	}
	input := e.o.Input
	switch {
	case s.HasInput:
		input = s.Input
	case s.Inputs != nil:
		input = e.join(s.Inputs)
	}
	e.start(s, input)
}

// exit is a step's exit code for a condition, and whether it ran.
func (e *execution) exit(id string) (int, bool) {
	res := e.results[id]
	if res == nil || !res.State.ran() {
		return 0, false
	}
	return res.Outcome.Code, true
}

// join makes the input of a step with inputs: a JSON object of each step's output as a string.
func (e *execution) join(ids []string) []byte {
	m := make(map[string]string, len(ids))
	for _, id := range ids {
		m[id] = string(e.results[id].Output)
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return b
}

func (e *execution) start(s *Step, input []byte) {
	e.active++
	go func() {
		e.done <- finished{res: e.attempts(s, input), input: input}
	}()
}

// finish takes a step's result from its goroutine: a failed step with a fallback waits for it,
// anything else is final.
func (e *execution) finish(f finished) {
	s := e.w.byID[f.res.ID]
	if f.res.State == Failed && s.Fallback != "" && e.ctx.Err() == nil {
		fb := e.w.byID[s.Fallback]
		e.observe(Event{Step: s.ID, State: Failed, Attempt: f.res.Attempts, Attempts: s.Retries + 1,
			Duration: f.res.Duration, Outcome: &f.res.Outcome, Reason: "its fallback " + fb.ID + " runs in its place"})
		e.replaced[fb.ID] = f
		input := f.input
		if fb.HasInput {
			input = fb.Input
		}
		e.start(fb, input)
		return
	}
	e.final(f.res)
}

// final records a step's final result, settles the step a fallback ran for, and considers the
// steps that were waiting for it.
func (e *execution) final(res StepResult) {
	s := e.w.byID[res.ID]
	if res.State.ok() && res.Output == nil {
		res.Output = res.Outcome.Output
	}
	e.results[res.ID] = &res
	e.observe(Event{Step: res.ID, State: res.State, Attempt: res.Attempts, Attempts: s.Retries + 1,
		Duration: res.Duration, Outcome: outcomeOf(res), Reason: res.Reason})
	if orig, ok := e.replaced[res.ID]; ok {
		delete(e.replaced, res.ID)
		r := orig.res
		if res.State.ok() {
			r.State, r.Output, r.Reason = Recovered, res.Output, "recovered by its fallback "+res.ID
		} else {
			r.Reason = fmt.Sprintf("its fallback %s %s too", res.ID, pastTense(res.State))
		}
		e.final(r)
	}
	for _, id := range e.dependents[res.ID] {
		e.waiting[id]--
		if e.waiting[id] == 0 {
			e.consider(e.w.byID[id])
		}
	}
}

func outcomeOf(res StepResult) *Outcome {
	if res.Attempts == 0 {
		return nil
	}
	return &res.Outcome
}

func (e *execution) observe(ev Event) {
	if e.o.Observe != nil {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.o.Observe(ev)
	}
}

// pastTense says what became of a step in state st, after "which".
func pastTense(st State) string {
	switch st {
	case Skipped:
		return "was skipped"
	case Declined:
		return "was declined"
	case Cancelled:
		return "was cancelled"
	}
	return "failed"
}
