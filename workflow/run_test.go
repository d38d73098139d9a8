package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// hangGuard bounds waits that only a bug would make long.
const hangGuard = time.Minute

// fakeRunner runs steps by calling behave, recording each attempt's input and how many
// attempts ran at once.
type fakeRunner struct {
	behave func(ctx context.Context, s *Step, input []byte, attempt int) Outcome

	mu      sync.Mutex
	inputs  map[string][]string
	running int
	peak    int
}

func (f *fakeRunner) Run(ctx context.Context, s *Step, input []byte, attempt int) Outcome {
	f.mu.Lock()
	if f.inputs == nil {
		f.inputs = map[string][]string{}
	}
	f.inputs[s.ID] = append(f.inputs[s.ID], string(input))
	f.running++
	f.peak = max(f.peak, f.running)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running--
		f.mu.Unlock()
	}()
	return f.behave(ctx, s, input, attempt)
}

// echo succeeds with "ID(input)" as output.
func echo(_ context.Context, s *Step, input []byte, _ int) Outcome {
	return Outcome{Output: []byte(s.ID + "(" + string(input) + ")")}
}

func mustParse(t *testing.T, file string) *Workflow {
	t.Helper()
	w, err := Parse([]byte(file), agentDir(t), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func resultOf(t *testing.T, rep *Report, id string) StepResult {
	t.Helper()
	for _, r := range rep.Steps {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no result for step %s", id)
	return StepResult{}
}

func fast(int) time.Duration { return time.Millisecond }

// TestRunFanOutFanIn runs b and c side by side after a (each waits until the other has
// started), then d with both outputs as a JSON object.
func TestRunFanOutFanIn(t *testing.T) {
	w := mustParse(t, step("a", `input = "go"`)+step("b", `inputs = ["a"]`)+step("c", `needs = ["a"]`)+
		step("d", `inputs = ["b", "c"]`))
	var both sync.WaitGroup
	both.Add(2)
	f := &fakeRunner{behave: func(ctx context.Context, s *Step, in []byte, n int) Outcome {
		if s.ID == "b" || s.ID == "c" {
			both.Done()
			done := make(chan struct{})
			go func() { both.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(hangGuard):
				return Outcome{Code: 1, Output: []byte("b and c did not run side by side")}
			}
		}
		return echo(ctx, s, in, n)
	}}
	rep := Run(context.Background(), w, f, Options{Input: []byte("wf")})
	if !rep.OK() {
		t.Fatalf("report %+v", rep)
	}
	if got := string(resultOf(t, rep, "d").Output); got != `d({"b":"b({\"a\":\"a(go)\"})","c":"c(wf)"})` {
		t.Errorf("d's output %s", got)
	}
	if f.peak < 2 {
		t.Errorf("at most %d steps ran at once", f.peak)
	}
}

func TestRunBoundsParallelAttempts(t *testing.T) {
	w := mustParse(t, step("a", "")+step("b", "")+step("c", ""))
	f := &fakeRunner{behave: func(ctx context.Context, s *Step, in []byte, n int) Outcome {
		time.Sleep(5 * time.Millisecond)
		return echo(ctx, s, in, n)
	}}
	if rep := Run(context.Background(), w, f, Options{Parallel: 1}); !rep.OK() {
		t.Fatalf("report %+v", rep)
	}
	if f.peak != 1 {
		t.Errorf("%d attempts ran at once, want 1", f.peak)
	}
}

func TestRunRetriesThenSucceeds(t *testing.T) {
	w := mustParse(t, step("a", "retries = 3"))
	var events []string
	f := &fakeRunner{behave: func(_ context.Context, _ *Step, _ []byte, n int) Outcome {
		if n < 3 {
			return Outcome{Code: 7}
		}
		return Outcome{Output: []byte("third time")}
	}}
	rep := Run(context.Background(), w, f, Options{Backoff: fast, Observe: func(e Event) {
		events = append(events, fmt.Sprintf("%s/%d", e.State, e.Attempt))
	}})
	r := resultOf(t, rep, "a")
	if r.State != Succeeded || r.Attempts != 3 || string(r.Output) != "third time" {
		t.Errorf("result %+v", r)
	}
	want := "running/1 retrying/1 running/2 retrying/2 running/3 succeeded/3"
	if got := strings.Join(events, " "); got != want {
		t.Errorf("events %s, want %s", got, want)
	}
}

func TestDefaultBackoffDoublesToACap(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 200 * time.Millisecond, 2: 400 * time.Millisecond, 6: 6400 * time.Millisecond, 7: 10 * time.Second, 1000: 10 * time.Second} {
		if got := DefaultBackoff(n); got != want {
			t.Errorf("DefaultBackoff(%d) = %s, want %s", n, got, want)
		}
	}
}

// TestRunFallback shows a failed step's fallback running with its input, its output going to
// the dependents, and the step counting as recovered; and a fallback that fails too.
func TestRunFallback(t *testing.T) {
	for _, fallbackWorks := range []bool{true, false} {
		w := mustParse(t, step("a", "input = \"in\"\nretries = 1\nfallback = \"f\"")+step("f", "")+step("b", `inputs = ["a"]`))
		f := &fakeRunner{behave: func(ctx context.Context, s *Step, in []byte, n int) Outcome {
			if s.ID == "a" || (s.ID == "f" && !fallbackWorks) {
				return Outcome{Code: 3, Err: errors.New("broken")}
			}
			return echo(ctx, s, in, n)
		}}
		rep := Run(context.Background(), w, f, Options{Backoff: fast})
		a, fb, b := resultOf(t, rep, "a"), resultOf(t, rep, "f"), resultOf(t, rep, "b")
		if got := strings.Join(f.inputs["f"], ","); got != "in" {
			t.Errorf("the fallback's input %q, want a's", got)
		}
		if fallbackWorks {
			if a.State != Recovered || a.Attempts != 2 || fb.State != Succeeded || b.State != Succeeded || !rep.OK() {
				t.Errorf("a %+v, f %+v, b %+v", a, fb, b)
			}
			if string(b.Output) != `b({"a":"f(in)"})` {
				t.Errorf("b's output %s", b.Output)
			}
			continue
		}
		if a.State != Failed || a.Reason != "its fallback f failed too" || fb.State != Failed || b.State != Skipped || rep.OK() {
			t.Errorf("a %+v, f %+v, b %+v", a, fb, b)
		}
	}
}

func TestRunUnneededFallbackIsSkipped(t *testing.T) {
	w := mustParse(t, step("a", `fallback = "f"`)+step("f", ""))
	rep := Run(context.Background(), w, &fakeRunner{behave: echo}, Options{})
	if f := resultOf(t, rep, "f"); f.State != Skipped || !rep.OK() {
		t.Errorf("fallback %+v", f)
	}
}

// TestRunConditions runs steps on a's exit code: a failure is not a reason to skip a step
// that only names it in its condition, but is for one that needs it.
func TestRunConditions(t *testing.T) {
	w := mustParse(t, step("a", "")+step("onfail", `when = "a.exit == 3"`)+step("onok", `when = "a.exit == 0"`)+
		step("either", `when = "a.exit == 0 or a.exit != 0"`)+step("after", `needs = ["a"]`)+
		step("chained", `when = "after.exit == 0 or after.exit != 0"`))
	f := &fakeRunner{behave: func(ctx context.Context, s *Step, in []byte, n int) Outcome {
		if s.ID == "a" {
			return Outcome{Code: 3}
		}
		return echo(ctx, s, in, n)
	}}
	rep := Run(context.Background(), w, f, Options{})
	want := map[string]State{"a": Failed, "onfail": Succeeded, "onok": Skipped, "either": Succeeded, "after": Skipped, "chained": Skipped}
	for id, st := range want {
		if r := resultOf(t, rep, id); r.State != st {
			t.Errorf("step %s %s (%s), want %s", id, r.State, r.Reason, st)
		}
	}
	if r := resultOf(t, rep, "after"); r.Reason != "needs a, which failed" {
		t.Errorf("after skipped because %q", r.Reason)
	}
	if rep.OK() {
		t.Error("a failed, yet the report is OK")
	}
}

func TestRunSkippedByConditionIsOK(t *testing.T) {
	w := mustParse(t, step("a", "")+step("b", `when = "a.exit != 0"`))
	rep := Run(context.Background(), w, &fakeRunner{behave: echo}, Options{})
	if b := resultOf(t, rep, "b"); b.State != Skipped || b.Reason != "when a.exit != 0 is false" || !rep.OK() {
		t.Errorf("b %+v, ok %v", b, rep.OK())
	}
}

func TestRunConfirmation(t *testing.T) {
	w := mustParse(t, step("a", "confirm = true")+step("b", `needs = ["a"]`)+step("c", "confirm = true"))
	f := &fakeRunner{behave: echo}
	asked := map[string]bool{}
	var mu sync.Mutex
	rep := Run(context.Background(), w, f, Options{Confirm: func(_ context.Context, s *Step) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		asked[s.ID] = true
		return s.ID == "c", nil
	}})
	if a, b, c := resultOf(t, rep, "a"), resultOf(t, rep, "b"), resultOf(t, rep, "c"); a.State != Declined || b.State != Skipped || c.State != Succeeded {
		t.Errorf("a %+v, b %+v, c %+v", a, b, c)
	}
	if !asked["a"] || !asked["c"] || asked["b"] || len(f.inputs["a"]) != 0 {
		t.Errorf("asked %v, ran %v", asked, f.inputs)
	}
	if rep := Run(context.Background(), w, f, Options{}); resultOf(t, rep, "a").State != Declined {
		t.Error("a step to confirm ran with no one to confirm it")
	}
}

// TestRunCancel cancels the workflow while a runs: a ends cancelled, the steps after it never
// start.
func TestRunCancel(t *testing.T) {
	w := mustParse(t, step("a", "retries = 5")+step("b", `needs = ["a"]`))
	ctx, cancel := context.WithCancel(context.Background())
	f := &fakeRunner{behave: func(ctx context.Context, _ *Step, _ []byte, _ int) Outcome {
		cancel()
		<-ctx.Done()
		return Outcome{Code: 130, Err: ctx.Err()}
	}}
	rep := Run(ctx, w, f, Options{})
	if a, b := resultOf(t, rep, "a"), resultOf(t, rep, "b"); a.State != Cancelled || a.Attempts != 1 || b.State != Cancelled {
		t.Errorf("a %+v, b %+v", a, b)
	}
	if len(f.inputs["b"]) != 0 {
		t.Error("b ran after the cancel")
	}
}
