package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/aiosys/aios/kernel"
)

// terminalConfirmer asks the operator on a terminal whether a call that policy requires
// confirmation for may run. Questions from concurrent agents are asked one at a time.
type terminalConfirmer struct {
	mu      sync.Mutex
	in      *bufio.Reader
	out     io.Writer
	pending chan answer // a read whose question was abandoned; its line answers the next one
}

type answer struct {
	line string
	err  error
}

// newConfirmer returns the confirmation callback for `aios run`: one that asks on the terminal
// when standard input and standard error are both terminals, else nil, which denies every call
// needing confirmation unless it is pre-approved (--approve, [policy] approve).
func newConfirmer(s *IOStreams) kernel.Confirmer {
	if !isTerminalReader(s.In) || !IsTerminal(s.ErrOut) {
		return nil
	}
	return (&terminalConfirmer{in: bufio.NewReader(s.In), out: s.ErrOut}).confirm
}

// confirm shows the agent, the call and its arguments and waits for y or n. Anything but y or
// yes denies. When ctx ends first the call is denied and the read stays pending; a line that
// arrives before the next question is shown is discarded, one after it answers it.
func (c *terminalConfirmer) confirm(ctx context.Context, q kernel.Confirmation) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	args, err := json.Marshal(q.Args)
	if err != nil {
		return false, fmt.Errorf("show arguments: %w", err)
	}
	fmt.Fprintf(c.out, "aios: %s[%d] (version %q, publisher %q) asks to call %s with %s\naios: allow this call? [y/N] ",
		q.Agent.Name, q.PID, q.Agent.Version, q.Agent.Publisher, q.Call, args)
	ch := c.pending
	if ch != nil {
		select {
		case <-ch: // typed before this question was shown: it answered an abandoned one
			ch = nil
		default:
		}
	}
	if ch == nil {
		ch = make(chan answer, 1)
		go func() {
			line, err := c.in.ReadString('\n')
			ch <- answer{line, err}
		}()
	}
	select {
	case <-ctx.Done():
		c.pending = ch
		fmt.Fprintln(c.out)
		return false, ctx.Err()
	case a := <-ch:
		c.pending = nil
		if a.err != nil && a.line == "" {
			return false, fmt.Errorf("read the answer: %w", a.err)
		}
		switch strings.ToLower(strings.TrimSpace(a.line)) {
		case "y", "yes":
			return true, nil
		}
		return false, nil
	}
}

// isTerminalReader reports whether r is a terminal.
func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
