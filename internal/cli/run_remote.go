package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/config"
)

// localOnlyRunFlags are `aios run` flags that mean nothing to a remote kernel: the server's own
// configuration, engine, trust and approvals decide, and the token names the tenant.
var localOnlyRunFlags = []string{"replicas", "config", "engine", "tenant", "approve", "json",
	"trust-key", "require-signature", "allow-unsigned", "cache", "username", "password-stdin", "plain-http", "durable"}

// checkRemote refuses local-only flags given together with --kernel or $AIOS_KERNEL.
func (o *RunOptions) checkRemote(flags *pflag.FlagSet) error {
	var given []string
	for _, name := range localOnlyRunFlags {
		if f := flags.Lookup(name); f != nil && f.Changed {
			given = append(given, "--"+name)
		}
	}
	if len(given) > 0 {
		return exitWith(ExitUsage, fmt.Errorf("%s: not for a remote run (the kernel's own configuration decides; the token names the tenant)", strings.Join(given, ", ")))
	}
	return nil
}

// runRemote is `aios run --kernel URL FILE|REF`: it uploads the module or bundle (or has the
// kernel pull the hub reference REF), shows the run's events as a local run does, prints its
// output and exits with its code. SIGINT or SIGTERM cancels the remote run.
func runRemote(ctx context.Context, o *RunOptions) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	c, err := o.Remote.client()
	if err != nil {
		return err
	}
	show := o.eventSink()
	ctx, intr := watchInterrupts(ctx, o.IO.ErrOut, show.notice, 1)
	defer intr.stop()
	defer func() { err = intr.exit(err) }()

	req, err := o.remoteRequest()
	if err != nil {
		return err
	}
	run, err := c.Submit(ctx, req)
	if err != nil {
		return remoteExit(err)
	}
	for e, err := range c.Events(ctx, run.ID, 0) {
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return remoteExit(err)
		}
		showRemoteEvent(show, run.ID, e)
	}
	show.flush()
	if ctx.Err() != nil {
		// Interrupted: cancel the run on the kernel, with a context of its own.
		stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := c.Cancel(stop, run.ID); err != nil && !client.IsNotFound(err) {
			fmt.Fprintf(o.IO.ErrOut, "aios: cancel run %s: %s\n", run.ID, safeText(err.Error()))
		} else {
			fmt.Fprintf(o.IO.ErrOut, "aios: run %s canceled\n", run.ID)
		}
		return nil
	}
	done, err := c.Run(ctx, run.ID)
	if err != nil {
		return remoteExit(err)
	}
	out, err := c.Output(ctx, run.ID)
	if err != nil && !client.IsNotFound(err) {
		return remoteExit(err)
	}
	writeOutput(o.IO, out)
	end := remoteEnding(done)
	fmt.Fprintln(o.IO.ErrOut, remoteSummary(done, end))
	if end.code == ExitOK {
		return nil
	}
	return exitWith(end.code, nil)
}

// remoteRequest is the POST /v1/runs body for the command's file, input, arguments and limits.
func (o *RunOptions) remoteRequest() (client.RunRequest, error) {
	var req client.RunRequest
	if _, err := o.flagLimits(); err != nil {
		return req, err
	}
	input, err := readInput(o.Input, o.IO.In)
	if err != nil {
		return req, exitWith(ExitNoInput, err)
	}
	req = client.RunRequest{Input: string(input), Args: o.Args, Env: o.Env, Priority: o.Priority}
	wasm, err := os.ReadFile(o.File)
	switch {
	case err == nil:
		req.Module, req.Name = wasm, remoteRunName(o.File)
	case errors.Is(err, fs.ErrNotExist) && looksLikeRef(o.File):
		req.Ref = o.File // the kernel pulls it from the hub
	default:
		return req, exitWith(ExitNoInput, fmt.Errorf("read the agent: %w (a remote run uploads a module or bundle file, or names a hub reference HOST/REPOSITORY[:TAG])", err))
	}
	var lim client.Limits
	if o.Timeout > 0 {
		lim.WallTime = o.Timeout.String()
	}
	if o.Memory != "" {
		var n config.Size
		if err := n.UnmarshalText([]byte(o.Memory)); err == nil {
			lim.Memory = uint64(n)
		}
	}
	if lim != (client.Limits{}) {
		req.Limits = &lim
	}
	return req, nil
}

// remoteRunName names a plain module's run after its file, as far as the server's rules for
// names allow (1 to 64 letters, digits, '.', '_' or '-'); a bundle's manifest names its own.
func remoteRunName(file string) string {
	base := file[strings.LastIndexAny(file, `/\`)+1:]
	base = strings.TrimSuffix(base, ".wasm")
	var b strings.Builder
	for _, r := range base {
		if b.Len() == 64 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "agent"
	}
	return b.String()
}

// writeOutput prints a run's output as a local run does: at a terminal with its control
// characters escaped, into a pipe or file byte for byte, ending with a newline.
func writeOutput(io *IOStreams, out []byte) {
	shown := out
	if IsTerminal(io.Out) {
		shown = []byte(safeLines(string(out)))
	}
	io.Out.Write(shown)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		fmt.Fprintln(io.Out)
	}
}

// remoteEnd is how a remote run ended, as a local run's exit code would say it.
type remoteEnd struct {
	code int
	text string
}

// remoteEnding maps a finished run's status to the exit code a local run of it gives: the
// agent's own code when it exited; 72 for a limit, 71 for a trap, 70 when it could not start or
// was canceled on the kernel.
func remoteEnding(r client.Run) remoteEnd {
	code := 0
	if r.ExitCode != nil {
		code = *r.ExitCode
	}
	switch r.Status {
	case client.StatusExited:
		if code == 0 {
			return remoteEnd{ExitOK, "exited 0"}
		}
		return remoteEnd{code, fmt.Sprintf("exited %d (the agent's own exit code)", code)}
	case client.StatusFailed:
		switch {
		case r.ExitCode == nil || strings.HasPrefix(r.Error, "start: "):
			return remoteEnd{ExitKernel, "could not start, exit 70: " + safeText(r.Error)}
		case strings.HasPrefix(r.Error, "limit exceeded"):
			return remoteEnd{ExitLimit, "stopped by the host, exit 72: " + safeText(r.Error)}
		}
		return remoteEnd{ExitTrap, "stopped by the host, exit 71: " + safeText(r.Error)}
	case client.StatusCanceled:
		return remoteEnd{ExitKernel, "canceled on the kernel, exit 70: " + safeText(r.Error)}
	}
	return remoteEnd{ExitKernel, "ended with status " + safeText(r.Status) + ", exit 70"}
}

// remoteSummary is the last line of a remote run, as summary is of a local one.
func remoteSummary(r client.Run, end remoteEnd) string {
	var b strings.Builder
	fmt.Fprintf(&b, "aios: %s[%s] %s", safeText(r.Name), safeText(r.ID), end.text)
	if r.Started != nil && r.Ended != nil {
		fmt.Fprintf(&b, " after %s", roundDuration(r.Ended.Sub(*r.Started)))
	}
	if u := r.Usage; u != nil {
		calls := plural(u.Calls, "system call")
		if u.Denied > 0 {
			calls += fmt.Sprintf(" (%d denied)", u.Denied)
		}
		fmt.Fprintf(&b, "; %s, %s, %s in, %d out", calls, plural(u.Generations, "generation"),
			plural(u.InputTokens, "token"), u.OutputTokens)
	}
	return b.String()
}
