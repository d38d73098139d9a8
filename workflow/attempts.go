package workflow

import "time"

// attempts runs step s on its own goroutine: asks for confirmation if it must, then runs
// attempts until one ends well, the retries are spent or ctx is cancelled.
func (e *execution) attempts(s *Step, input []byte) StepResult {
	start := time.Now()
	res := StepResult{ID: s.ID}
	end := func(st State, reason string) StepResult {
		res.State, res.Reason, res.Duration = st, reason, time.Since(start)
		return res
	}
	if s.Confirm {
		e.observe(Event{Step: s.ID, State: Confirming, Attempts: s.Retries + 1})
		ok, err := false, error(nil)
		if e.o.Confirm != nil {
			ok, err = e.o.Confirm(e.ctx, s)
		}
		switch {
		case e.ctx.Err() != nil:
			return end(Cancelled, "the workflow was interrupted")
		case err != nil:
			return end(Declined, "not confirmed: "+err.Error())
		case !ok:
			return end(Declined, "the operator did not confirm it")
		}
	}
	for attempt := 1; ; attempt++ {
		select {
		case e.sem <- struct{}{}:
		case <-e.ctx.Done():
			return end(Cancelled, "the workflow was interrupted")
		}
		e.observe(Event{Step: s.ID, State: Running, Attempt: attempt, Attempts: s.Retries + 1})
		began := time.Now()
		out := e.r.Run(e.ctx, s, input, attempt)
		<-e.sem
		res.Attempts, res.Outcome = attempt, out
		switch {
		case out.OK():
			return end(Succeeded, "")
		case e.ctx.Err() != nil:
			return end(Cancelled, "the workflow was interrupted")
		case attempt > s.Retries:
			return end(Failed, "")
		}
		wait := e.o.Backoff(attempt)
		e.observe(Event{Step: s.ID, State: Retrying, Attempt: attempt, Attempts: s.Retries + 1,
			Duration: time.Since(began), Wait: wait, Outcome: &out})
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-e.ctx.Done():
			t.Stop()
			return end(Cancelled, "the workflow was interrupted")
		}
	}
}
