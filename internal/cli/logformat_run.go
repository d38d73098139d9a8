package cli

import (
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/kernel"
)

// eventSink shows the live events of `aios run`'s agents on standard error: an eventPrinter
// (text) or a runLog (--log-format json).
type eventSink interface {
	event(kernel.Event)
	notice(line string)
	flush()
}

// runLog is standard error of `aios run --log-format json`: every line aios writes there, and
// every log line, streamed text and notice of its agents, becomes one slog JSON record. A
// record's "origin" says whose it is: "agent" (a log line), "llm" (a line of streamed LLM
// text), or "aios" (aios's own); records about one agent carry its "agent" name and "pid", and
// its "tenant" when it has one. Text is passed as the agent produced it (JSON escapes it).
type runLog struct {
	log    *slog.Logger
	tenant string

	mu      sync.Mutex
	line    []byte                          // aios's own output up to its next newline
	partial map[kernel.PID]*strings.Builder // streamed text up to its next newline
}

func newRunLog(w io.Writer, tenant string) *runLog {
	return logOver(slog.New(newLogHandler(w, logJSON)), tenant)
}

// logOver is a runLog whose records go to log.
func logOver(log *slog.Logger, tenant string) *runLog {
	return &runLog{log: log, tenant: tenant, partial: map[kernel.PID]*strings.Builder{}}
}

// streams returns s with standard error replaced by l, so that whatever a command writes
// there becomes records.
func (l *runLog) streams(s *IOStreams) *IOStreams {
	c := *s
	c.ErrOut = l
	return &c
}

// eventSink is where the command shows its agents' live events: the runLog standard error is
// with --log-format json, else an eventPrinter.
func (o *RunOptions) eventSink() eventSink {
	if l, ok := o.IO.ErrOut.(*runLog); ok {
		return l
	}
	return newEventPrinter(o.IO.ErrOut, IsTerminal(o.IO.ErrOut), o.Replicas > 1)
}

// Write turns each complete line into a record of aios's own: "aios: " (or "aios kernel: ")
// is left out, and a line that goes on "warning: " is a warning.
func (l *runLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.line = append(l.line, p...)
	for {
		i := slices.Index(l.line, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.own(string(l.line[:i]))
		l.line = l.line[i+1:]
	}
}

// own logs one line of aios's own.
func (l *runLog) own(line string) {
	line = strings.TrimPrefix(strings.TrimPrefix(line, "aios: "), "aios kernel: ")
	level := slog.LevelInfo
	if rest, ok := strings.CutPrefix(line, "warning: "); ok {
		level, line = slog.LevelWarn, rest
	}
	l.log.Log(context.Background(), level, line, slog.String("origin", "aios"))
}

// agentAttrs are the attributes that say which agent a record is about.
func (l *runLog) agentAttrs(origin, name string, pid kernel.PID) []slog.Attr {
	attrs := []slog.Attr{slog.String("origin", origin), slog.String("agent", name), slog.Uint64("pid", uint64(pid))}
	if l.tenant != "" {
		attrs = append(attrs, slog.String("tenant", l.tenant))
	}
	return attrs
}

// agentLevels maps an agent's log level (0 debug … 3 error) onto slog's.
var agentLevels = [...]slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError}

func (l *runLog) event(e kernel.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx := context.Background()
	switch e.Kind {
	case kernel.EventToken:
		b := l.partial[e.PID]
		if b == nil {
			b = &strings.Builder{}
			l.partial[e.PID] = b
		}
		b.WriteString(e.Text)
		s := b.String()
		if i := strings.LastIndexByte(s, '\n'); i >= 0 {
			for _, line := range splitLF(s[:i]) {
				l.log.LogAttrs(ctx, slog.LevelInfo, line, l.agentAttrs("llm", e.Name, e.PID)...)
			}
			b.Reset()
			b.WriteString(s[i+1:])
		}
	case kernel.EventLog:
		l.endTokens(e.PID, e.Name)
		level := slog.LevelInfo
		if e.Level >= 0 && e.Level < len(agentLevels) {
			level = agentLevels[e.Level]
		}
		l.log.LogAttrs(ctx, level, e.Text, l.agentAttrs("agent", e.Name, e.PID)...)
	case kernel.EventExit:
		l.endTokens(e.PID, e.Name)
	case kernel.EventRetry, kernel.EventFailover:
		l.endTokens(e.PID, e.Name)
		attrs := l.agentAttrs("aios", e.Name, e.PID)
		if n := e.Notice; n != nil {
			attrs = append(attrs, slog.String("core", n.Core))
			if e.Kind == kernel.EventFailover {
				attrs = append(attrs, slog.String("to", n.To))
			} else {
				attrs = append(attrs, slog.Int("attempt", n.Attempt), slog.Int("max_attempts", n.MaxAttempts),
					slog.Int64("wait_ms", n.Wait.Milliseconds()), slog.String("reason", n.Reason))
			}
		}
		l.log.LogAttrs(ctx, slog.LevelWarn, e.Text, attrs...)
	}
}

// endTokens logs what pid streamed since its last newline.
func (l *runLog) endTokens(pid kernel.PID, name string) {
	if b := l.partial[pid]; b != nil && b.Len() > 0 {
		l.log.LogAttrs(context.Background(), slog.LevelInfo, b.String(), l.agentAttrs("llm", name, pid)...)
		b.Reset()
	}
}

// notice logs one line of aios's own at once.
func (l *runLog) notice(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.own(line)
}

// flush logs what is still held: streamed text and a last line without a newline.
func (l *runLog) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for pid, b := range l.partial {
		if b.Len() > 0 {
			l.log.LogAttrs(context.Background(), slog.LevelInfo, b.String(), l.agentAttrs("llm", "", pid)...)
			b.Reset()
		}
	}
	if len(l.line) > 0 {
		l.own(string(l.line))
		l.line = nil
	}
}

// runEnded logs how a run ended, as the summary line says it in text: msg "run ended", the
// exit code and its cause, the host's reason, and the run's usage.
func (l *runLog) runEnded(r *aios.Result) {
	end := endingOf(r)
	u := r.Usage
	attrs := append(l.agentAttrs("aios", r.Name, r.PID), slog.Int("exit_code", end.Code), slog.String("cause", end.Cause))
	if end.Reason != nil {
		attrs = append(attrs, slog.String("error", end.Reason.Error()))
	}
	if end.Limit != nil {
		attrs = append(attrs, slog.String("limit", end.Limit.Limit))
	}
	if end.Signal != nil {
		attrs = append(attrs, slog.String("signal", end.Signal.name()))
	}
	if r.MemoryLimitReached {
		attrs = append(attrs, slog.Bool("memory_limit_reached", true))
	}
	attrs = append(attrs, slog.Int64("duration_ms", r.Duration.Milliseconds()),
		slog.Int("calls", u.Calls), slog.Int("denied", u.Denied), slog.Int("generations", u.Generations),
		slog.Int("input_tokens", u.InputTokens), slog.Int("output_tokens", u.OutputTokens), slog.String("cost", u.Cost.String()))
	if u.BudgetRefusals > 0 {
		attrs = append(attrs, slog.Int("budget_refusals", u.BudgetRefusals), slog.String("exhausted", u.Exhausted))
	}
	if len(u.Cores) > 0 {
		attrs = append(attrs, slog.Any("cores", slices.Sorted(maps.Keys(u.Cores))))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.log.LogAttrs(context.Background(), slog.LevelInfo, "run ended", attrs...)
}

// printSummary shows how r ended on w: the summary line, or a record when w is a runLog.
func printSummary(w io.Writer, r *aios.Result) {
	if l, ok := w.(*runLog); ok {
		l.runEnded(r)
		return
	}
	_, _ = w.Write([]byte(summary(r) + "\n"))
}

// asDefault makes l's logger slog's default (and so the log package's) until restore is
// called, so that what libraries log (a trace export that failed) becomes records of l too.
func (l *runLog) asDefault() (restore func()) {
	prev, w, flags := slog.Default(), log.Writer(), log.Flags()
	slog.SetDefault(l.log.With(slog.String("origin", "aios")))
	return func() {
		slog.SetDefault(prev)
		log.SetOutput(w)
		log.SetFlags(flags)
	}
}

// failed logs err as aios's last record and returns the error Main should see: the same exit
// code with nothing more to print, so that standard error holds records only.
func (l *runLog) failed(err error) error {
	if err == nil {
		return nil
	}
	l.flush()
	code := ExitUsage // what Main makes of an error without a code
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		if ee.err == nil {
			return err
		}
	}
	l.mu.Lock()
	l.log.LogAttrs(context.Background(), slog.LevelError, err.Error(), slog.String("origin", "aios"), slog.Int("exit_code", code))
	l.mu.Unlock()
	return exitWith(code, nil)
}
