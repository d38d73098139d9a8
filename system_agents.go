package aios

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/hostcalls"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/limits"
	"github.com/aiosys/aios/runtime"
)

// maxChildModule bounds the size of a module an agent may start.
const maxChildModule = 256 << 20

// spawner starts the child agents of a System's runs (kernel.Spawner): modules of the
// configured agents directory ([agents] dir), compiled once per content on the System's
// engine, run on its kernel under the parent's limits at most.
type spawner struct {
	dir string
	sys *System // set once the System is built, before any run

	mu       sync.Mutex
	compiled map[[sha256.Size]byte]childModule

	runs    sync.Map // kernel.PID -> limits.Limits: the limits of every running agent
	durable sync.Map // kernel.PID -> durableParent: the running agents that are durable runs
}

func newSpawner(cfg config.Agents) *spawner {
	return &spawner{dir: cfg.Dir, compiled: map[[sha256.Size]byte]childModule{}}
}

// childModule is a compiled child and the budget its bundle's manifest declares (none for a
// plain module).
type childModule struct {
	module runtime.Module
	budget quota.Limit
	digest string // "sha256:" and hex, as a durable child records it
}

// agentLimits are the kernel's limits on child agents from cfg's [agents].
func agentLimits(cfg config.Agents) kernel.AgentLimits {
	return kernel.AgentLimits{Children: cfg.MaxChildren, Depth: cfg.MaxDepth, Tree: cfg.MaxTree, Mailbox: cfg.Mailbox, Message: cfg.MaxMessage}
}

// StartChild implements kernel.Spawner.
func (s *spawner) StartChild(ctx context.Context, parent *kernel.Process, module string, req kernel.SpawnRequest, spec kernel.Spec) (*kernel.Process, error) {
	m, err := s.load(ctx, module)
	if err != nil {
		return nil, err
	}
	plim := s.sys.cfg.Limits.Or(limits.Defaults()) // a parent this system did not start
	if l, ok := s.runs.Load(parent.PID()); ok {
		plim = l.(limits.Limits)
	}
	lim, _ := req.Limits.Within(plim)
	spec.Limits = kernel.Limits{Log: lim.Log, Output: lim.Output}
	spec.Budget = tighter(spec.Budget, m.budget)
	if dp, ok := s.durableOf(parent.PID()); ok && req.Journaled {
		return s.startDurable(ctx, dp, req.Index, module, m, spec, lim)
	}
	proc, err := s.sys.kernel.Spawn(spec)
	if err != nil {
		return nil, err
	}
	go s.run(ctx, proc, m.module, lim)
	return proc, nil
}

// run runs a child to its end; see kernel.Spawner.
func (s *spawner) run(ctx context.Context, proc *kernel.Process, m runtime.Module, lim limits.Limits) {
	untrack := s.track(proc, lim, nil)
	g := hostcalls.NewGuest(proc, lim)
	_, err := m.Run(ctx, g, lim)
	g.Close()
	code, cause := exitOf(err)
	proc.End(code, cause)
	untrack()
	s.sys.kernel.Reap(proc.PID())
}

// exitOf turns how a module's run ended into an exit code and, when the host ended it, why.
func exitOf(err error) (int, error) {
	var exit *hostcalls.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		return int(exit.Code), nil
	}
	return -1, err
}

// tighter is the smaller of two budgets, part by part; a zero part is unlimited.
func tighter(a, b quota.Limit) quota.Limit {
	pick := func(x, y int64) int64 {
		if x == 0 || (y != 0 && y < x) {
			return y
		}
		return x
	}
	return quota.Limit{Tokens: pick(a.Tokens, b.Tokens), Money: quota.Cost(pick(int64(a.Money), int64(b.Money))), Period: a.Period}
}

// load reads module from the agents directory and compiles it, once per content, with the
// budget its bundle declares.
func (s *spawner) load(ctx context.Context, module string) (childModule, error) {
	if s.dir == "" {
		return childModule{}, fmt.Errorf("starting agents %w: no agents directory is configured ([agents] dir in aios.toml)", kernel.ErrNoManager)
	}
	if !filepath.IsLocal(module) || !strings.HasSuffix(module, ".wasm") || strings.ContainsRune(module, 0) {
		return childModule{}, fmt.Errorf("%w: module %q must be a path to a .wasm file inside the agents directory", kernel.ErrInvalid, module)
	}
	wasm, err := readInRoot(s.dir, module)
	if errors.Is(err, fs.ErrNotExist) {
		return childModule{}, fmt.Errorf("%w: module %q is not in the agents directory", kernel.ErrNoAgent, module)
	}
	if err != nil {
		return childModule{}, fmt.Errorf("%w: module %q: %v", kernel.ErrInvalid, module, err)
	}
	sum := sha256.Sum256(wasm)
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.compiled[sum]; ok {
		return m, nil
	}
	budget, err := bundleBudget(wasm)
	if err != nil {
		return childModule{}, fmt.Errorf("%w: module %q: %v", kernel.ErrInvalid, module, err)
	}
	m, err := s.sys.engine.Compile(ctx, wasm)
	if err != nil {
		return childModule{}, fmt.Errorf("%w: module %q: %v", kernel.ErrInvalid, module, err)
	}
	cm := childModule{module: m, budget: budget, digest: digestOf(wasm)}
	s.compiled[sum] = cm
	return cm, nil
}

// readInRoot reads name within dir, never outside it (not through "..", nor a symbolic link).
func readInRoot(dir, name string) ([]byte, error) {
	f, err := os.OpenInRoot(dir, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxChildModule+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxChildModule {
		return nil, fmt.Errorf("larger than %d MiB", maxChildModule>>20)
	}
	return b, nil
}

// close releases the compiled child modules.
func (s *spawner) close(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, m := range s.compiled {
		_ = m.module.Close(ctx)
		delete(s.compiled, k)
	}
}
