package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aiosys/aios/workflow"
)

// stepConfirmer asks the operator before a step with confirm = true starts: on the terminal,
// one question at a time, or not at all with --yes.
type stepConfirmer struct {
	yes    bool
	notice func(string)

	mu      sync.Mutex
	in      *bufio.Reader
	out     func(string) // writes the question, without a line break
	pending chan string  // a read whose question was abandoned; its line answers the next one
}

func newStepConfirmer(s *IOStreams, yes bool, notice func(string)) *stepConfirmer {
	return &stepConfirmer{yes: yes, notice: notice, in: bufio.NewReader(s.In),
		out: func(q string) { fmt.Fprint(s.ErrOut, q) }}
}

// canConfirm refuses, before anything runs, a workflow with steps to confirm when nobody can
// answer: standard input or standard error is not a terminal, or standard input is the
// workflow's input, and --yes is not given.
func (o *RunOptions) canConfirm(wf *workflow.Workflow) error {
	if o.Workflow.Yes {
		return nil
	}
	why := ""
	switch {
	case o.Input == "-":
		why = "standard input is the workflow's input (--input -)"
	case !isTerminalReader(o.IO.In) || !IsTerminal(o.IO.ErrOut):
		why = "there is no terminal to ask on"
	default:
		return nil
	}
	for _, s := range wf.Steps {
		if s.Confirm {
			return exitWith(ExitUsage, fmt.Errorf("step %s asks for confirmation (confirm = true), but %s; run with --yes to approve it", s.ID, why))
		}
	}
	return nil
}

// confirm asks whether step s may start; only y or yes approves. When ctx ends first the step
// is not started.
func (c *stepConfirmer) confirm(ctx context.Context, s *workflow.Step) (bool, error) {
	if c.yes {
		c.notice(fmt.Sprintf("aios: step %s: approved by --yes", s.ID))
		return true, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.notice(fmt.Sprintf("aios: step %s (%s) asks for confirmation before it starts", s.ID, safeText(s.Agent)))
	c.out("aios: start it? [y/N] ")
	ch := c.pending
	if ch == nil {
		ch = make(chan string, 1)
		go func() {
			line, _ := c.in.ReadString('\n') // an error (end of input) leaves what was read: a no
			ch <- line
		}()
	}
	select {
	case <-ctx.Done():
		c.pending = ch
		return false, ctx.Err()
	case line := <-ch:
		c.pending = nil
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return true, nil
		}
		return false, nil
	}
}
