package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/limits"
)

// interruptedError is why a run was stopped when aios received SIGINT or SIGTERM: the cause its
// context is cancelled with, so each agent's result names the signal.
type interruptedError struct {
	signal syscall.Signal
}

func (e *interruptedError) Error() string { return "interrupted by " + e.name() }

// name is the signal's conventional name, SIGINT or SIGTERM.
func (e *interruptedError) name() string {
	if e.signal == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

// code is the exit status of a command ended by the signal, as a shell reports it: 128 plus
// the signal's number (130 for SIGINT, 143 for SIGTERM).
func (e *interruptedError) code() int { return 128 + int(e.signal) }

// interrupts stops a run on SIGINT or SIGTERM. The first signal cancels the run's context, so
// the agents end, their summaries are printed and the data directory is closed cleanly; a
// second one exits at once with the first one's code.
type interrupts struct {
	errOut io.Writer
	sigs   chan os.Signal
	done   chan struct{}
	ended  chan struct{}

	mu  sync.Mutex
	got *interruptedError
}

// watchInterrupts starts watching for SIGINT and SIGTERM until stop. The context it returns is
// ctx, cancelled with an *interruptedError on the first signal; notice tells the user then.
func watchInterrupts(ctx context.Context, errOut io.Writer, notice func(string), agents int) (context.Context, *interrupts) {
	ctx, cancel := context.WithCancelCause(ctx)
	in := &interrupts{errOut: errOut, sigs: make(chan os.Signal, 2), done: make(chan struct{}), ended: make(chan struct{})}
	signal.Notify(in.sigs, os.Interrupt, syscall.SIGTERM)
	what := "the agent"
	if agents > 1 {
		what = "the agents"
	}
	go func() {
		defer close(in.ended)
		defer cancel(nil)
		var first *interruptedError
		select {
		case s := <-in.sigs:
			first = &interruptedError{signal: s.(syscall.Signal)}
		case <-in.done:
			return
		}
		in.mu.Lock()
		in.got = first
		in.mu.Unlock()
		// Cancel before telling: the notice waits for the agents' output, the stop must not.
		cancel(first)
		notice(fmt.Sprintf("aios: %s; stopping %s (press Ctrl-C again to quit now)", first, what))
		select {
		case <-in.sigs:
			// Quitting without waiting leaves the data directory consistent all the same:
			// its SQLite stores commit each write durably (WAL, synchronous FULL).
			fmt.Fprintf(in.errOut, "aios: %s again; quitting now\n", first)
			os.Exit(first.code())
		case <-in.done:
		}
	}()
	return ctx, in
}

// interrupted returns the first signal's error, or nil if none arrived.
func (in *interrupts) interrupted() *interruptedError {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.got
}

// account marks a run that returned after the signal as interrupted. Cancelling the run ends
// its pending system calls with ECANCELED, and the agent may exit or trap on that before the
// host ends it: its own code then says nothing of why it ended. A limit reached meanwhile
// stays the account.
func (in *interrupts) account(r *aios.Result) {
	sig := in.interrupted()
	var (
		lim *limits.ExceededError
		got *interruptedError
	)
	if sig == nil || r == nil || errors.As(r.Err, &lim) || errors.As(r.Err, &got) {
		return
	}
	r.Err = sig
}

// exit is the command's error once the run is over: after a signal, the signal's exit code
// with a line saying so, whatever else went wrong on the way out; otherwise err.
func (in *interrupts) exit(err error) error {
	if got := in.interrupted(); got != nil {
		return exitWith(got.code(), got)
	}
	return err
}

// stop stops watching: signals get their default action again.
func (in *interrupts) stop() {
	signal.Stop(in.sigs)
	close(in.done)
	<-in.ended
}
