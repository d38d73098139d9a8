package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/limits"
)

// TestInterruptBeforeAnyAgentJSON: a signal while the agent is still being pulled or compiled
// ends --json with a result object that names the signal.
func TestInterruptBeforeAnyAgentJSON(t *testing.T) {
	var out bytes.Buffer
	sig := &interruptedError{signal: syscall.SIGTERM}
	newJSONPrinter(&out).unstarted(exitWith(sig.code(), sig))
	var res jsonResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%v: %s", err, out.Bytes())
	}
	if res.Event != "result" || res.ExitCode != 143 || res.Cause != causeInterrupted || res.Signal != "SIGTERM" {
		t.Errorf("result %+v, want exit_code 143, cause interrupted, signal SIGTERM", res)
	}
}

// TestInterruptAccount: a run that returned after the signal counts as interrupted, even when
// the agent exited or trapped on its cancelled calls first; a limit reached meanwhile stays
// the account, and without a signal nothing changes.
func TestInterruptAccount(t *testing.T) {
	sig := &interruptedError{signal: syscall.SIGINT}
	wall := &limits.ExceededError{Limit: "wall_time", Value: "1s"}
	for _, tc := range []struct {
		name string
		err  error
		want ending
	}{
		{"exited", nil, ending{Code: 130, Cause: causeInterrupted}},
		{"trapped", errors.New("unreachable"), ending{Code: 130, Cause: causeInterrupted}},
		{"limit", wall, ending{Code: ExitLimit, Cause: causeLimit}},
	} {
		r := &aios.Result{ExitCode: 1, Err: tc.err}
		(&interrupts{got: sig}).account(r)
		if got := endingOf(r); got.Code != tc.want.Code || got.Cause != tc.want.Cause {
			t.Errorf("%s: ending %d %s, want %d %s", tc.name, got.Code, got.Cause, tc.want.Code, tc.want.Cause)
		}
		if s := summary(r); tc.want.Cause == causeInterrupted && !strings.Contains(s, "stopped by the host, exit 130: interrupted by SIGINT after ") {
			t.Errorf("%s: summary %q", tc.name, s)
		}
	}
	r := &aios.Result{ExitCode: 1}
	(&interrupts{}).account(r)
	if got := endingOf(r); got.Code != 1 || got.Cause != causeAgent {
		t.Errorf("without a signal: ending %d %s, want the agent's own 1", got.Code, got.Cause)
	}
}
