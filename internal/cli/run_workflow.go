package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/workflow"
)

// runWorkflow runs a workflow file (docs/WORKFLOWS.md): it checks the whole file, loads and
// compiles every agent once, then runs the steps on one System, printing each change of state,
// and ends with a table of the steps (or --json's summary) and the workflow's exit code.
func runWorkflow(ctx context.Context, o *RunOptions) (err error) {
	if err := o.checkWorkflow(); err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	summarised := false
	if o.JSON {
		// Once the flags are accepted, --json ends with a summary whatever happens.
		defer func() {
			if !summarised && err != nil {
				writeWorkflowFailure(o.IO.Out, err)
			}
		}()
	}
	wf, err := workflow.Load(o.File, workflow.ParseOptions{IsRef: looksLikeRef})
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return exitWith(ExitNoInput, err)
	case err != nil:
		return exitWith(ExitConfig, fmt.Errorf("%s: invalid workflow:\n%s", o.File, indent(err.Error())))
	}
	if o.Workflow.DryRun {
		summarised = true
		if o.JSON {
			return writeJSON(o.IO.Out, planOf(wf))
		}
		printPlan(o.IO.Out, o.File, wf)
		return nil
	}
	if err := o.canConfirm(wf); err != nil {
		return err
	}

	show := newStepEventPrinter(o.IO.ErrOut)
	ctx, intr := watchInterrupts(ctx, o.IO.ErrOut, show.notice, len(wf.Steps))
	defer intr.stop()
	defer func() { err = intr.exit(err) }()
	input, flagLim, cfg, err := o.localSetup()
	if err != nil {
		return err
	}
	sys, err := aios.New(ctx, cfg, aios.WithEngine(o.Engine))
	if err != nil {
		return exitWith(ExitConfig, err)
	}
	defer sys.Close(context.Background())
	runner, err := prepareSteps(ctx, o, wf, sys, cfg, flagLim)
	if err != nil {
		return err
	}
	defer runner.close()
	if err := checkCores(ctx, o.IO, sys); err != nil {
		return err
	}
	noticeCores(o.IO, sys, len(cfg.Cores))
	runner.events, runner.intr = show.event, intr

	progress := &progressPrinter{show: show}
	rep := workflow.Run(ctx, wf, runner, workflow.Options{
		Input:   input,
		Confirm: newStepConfirmer(o.IO, o.Workflow.Yes, show.notice).confirm,
		Observe: progress.event,
	})
	show.flush()
	code, failure := workflowExit(rep)
	if sig := intr.interrupted(); sig != nil {
		code = sig.code() // what intr.exit will return, for --json's summary
	}
	if o.JSON {
		summarised = true
		if err := writeWorkflowJSON(o.IO.Out, wf, rep, runner, code); err != nil && code == ExitOK {
			return exitWith(ExitKernel, fmt.Errorf("write the JSON summary: %w", err))
		}
	} else {
		printLeafOutputs(o.IO.Out, wf, rep)
	}
	printStepTable(o.IO.ErrOut, rep, runner)
	if code == ExitOK {
		return nil
	}
	return exitWith(code, failure)
}

// noticeCores says, as `aios run` does, when the echo core answers instead of a model, and
// which tools are unavailable.
func noticeCores(io *IOStreams, sys *aios.System, configured int) {
	switch {
	case configured == 0:
		fmt.Fprintln(io.ErrOut, "aios: no LLM cores configured; the built-in echo core answers (deterministic replies, no model)")
	case sys.EchoOnly():
		fmt.Fprintln(io.ErrOut, "aios: every configured core is an echo core (deterministic replies, no model)")
	}
	for _, why := range sys.ToolsUnavailable() {
		fmt.Fprintf(io.ErrOut, "aios: warning: tool unavailable: %s\n", safeText(why))
	}
}

// workflowExit is the workflow's exit code and what to say: 0 when every step that ran ended
// well; else the code of the first step, in file order, that did not: its agent's own exit
// code, or 71 (trap), 72 (limit) or 70 (it could not start, or the operator declined it).
func workflowExit(rep *workflow.Report) (int, error) {
	for _, s := range rep.Steps {
		switch s.State {
		case workflow.Failed:
			code := s.Outcome.Code
			if code == ExitOK {
				code = ExitKernel
			}
			return code, fmt.Errorf("workflow failed: step %s failed (exit %d)", s.ID, code)
		case workflow.Declined:
			return ExitKernel, fmt.Errorf("workflow stopped: step %s was not confirmed", s.ID)
		case workflow.Cancelled:
			return ExitKernel, fmt.Errorf("workflow stopped: step %s was cancelled", s.ID)
		}
	}
	return ExitOK, nil
}
