package extism

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	sdk "github.com/extism/go-sdk"

	"github.com/aiosys/aios/kernel/tools"
)

// maxTrapMessage bounds the part of a trap's message that goes into an error.
const maxTrapMessage = 512

// Call runs function name with args as its Extism input. The output, or the message of an
// Extism error (a non-zero return), becomes Result.Content, cut at limit bytes (or
// Config.MaxOutputBytes if smaller). A trap, or the plugin exiting with a non-zero code, is
// tools.ErrUnavailable; a timeout is the context's error. Either way the instance is thrown
// away and the next call gets a fresh one. Arguments larger than a quarter of the plugin's
// memory are tools.ErrInvalidArgs: Extism would hand the plugin an empty input instead.
//
// # Notes
//
// Extism copies the whole output out of the plugin's memory before it can be cut, so a call
// holds up to Config.MaxMemoryPages*64 KiB on the host for a moment, whatever the limit.
//
// A plugin that exits with code 0 (os.Exit(0)) looks like a success to Extism; its instance
// is closed, so the next call on it fails as unavailable before the pool replaces it.
func (s *Source) Call(ctx context.Context, name string, args json.RawMessage, limit int64) (res tools.Result, err error) {
	if !s.functions[name] {
		return tools.Result{}, fmt.Errorf("extism plugin %q: %w: %q", s.name, tools.ErrUnknownTool, name)
	}
	if int64(len(args)) > s.maxInput {
		return tools.Result{}, fmt.Errorf("extism plugin %q: %w: %d bytes, more than the plugin takes (%d)", s.name, tools.ErrInvalidArgs, len(args), s.maxInput)
	}
	if s.maxOutput > 0 && s.maxOutput < limit {
		limit = s.maxOutput
	}
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	owner := tools.CallerOf(ctx)
	inst, err := s.pool.get(ctx, owner)
	if err != nil {
		if ctx.Err() != nil {
			return tools.Result{}, fmt.Errorf("extism plugin %q: %s: %w", s.name, name, ctx.Err())
		}
		return tools.Result{}, fmt.Errorf("%w: extism plugin %q: new instance: %s", tools.ErrUnavailable, s.name, bounded(err.Error()))
	}
	healthy := false
	defer func() {
		if healthy {
			s.pool.put(owner, inst)
		} else {
			s.pool.discard(inst)
		}
	}()
	defer func() {
		// Extism's Go code around the wasm call is not ours; whatever it panics on stays
		// inside this call.
		if p := recover(); p != nil {
			healthy = false
			res, err = tools.Result{}, fmt.Errorf("%w: extism plugin %q: %s: host panic: %s", tools.ErrUnavailable, s.name, name, bounded(fmt.Sprint(p)))
		}
	}()

	inst.stderr.take()
	rc, out, callErr := inst.plugin.CallWithContext(ctx, name, args)
	switch {
	case callErr == nil && rc == 0:
		healthy = true
		return cut(out, limit), nil
	case callErr == nil:
		healthy = true
		if len(out) == 0 {
			out = fmt.Appendf(nil, "%s returned %d", name, rc)
		}
		res = cut(out, limit)
		res.IsError = true
		return res, nil
	case ctx.Err() != nil:
		return tools.Result{}, fmt.Errorf("extism plugin %q: %s: %w", s.name, name, ctx.Err())
	case isPluginError(inst.plugin, callErr):
		// The plugin set an Extism error and returned: it failed, it did not crash.
		healthy = true
		res = cut([]byte(callErr.Error()), limit)
		res.IsError = true
		return res, nil
	default:
		return tools.Result{}, fmt.Errorf("%w: extism plugin %q: %s trapped: %s", tools.ErrUnavailable, s.name, name, trapMessage(callErr, inst.stderr.take()))
	}
}

// isPluginError reports whether err is the Extism error the plugin set, rather than a trap:
// Extism returns the plugin's error message as the error itself, and a trap returns before
// the message is read.
func isPluginError(inst *sdk.Plugin, err error) bool {
	msg := inst.GetErrorWithContext(context.Background())
	return msg != "" && msg == err.Error()
}

// cut makes a Result of out, keeping at most limit bytes and no broken UTF-8 sequence at
// the cut.
func cut(out []byte, limit int64) tools.Result {
	res := tools.Result{Bytes: int64(len(out))}
	if int64(len(out)) > limit {
		n := max(limit, 0)
		for n > 0 && n > limit-(utf8.UTFMax-1) && !utf8.RuneStart(out[n]) {
			n--
		}
		out = out[:n]
		res.Truncated = true
	}
	res.Content = string(out)
	return res
}

// trapMessage is the first line of a trap's error (wazero adds a wasm stack trace), with what
// the first line the plugin wrote to standard error (a Go plugin's panic message), bounded.
func trapMessage(err error, stderr string) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	if line, _, _ := strings.Cut(strings.TrimSpace(stderr), "\n"); line != "" {
		msg += "; stderr: " + line
	}
	return bounded(msg)
}

// bounded cuts a message from a plugin or from Extism to maxTrapMessage bytes.
func bounded(msg string) string {
	if len(msg) <= maxTrapMessage {
		return msg
	}
	return msg[:maxTrapMessage] + "…"
}
