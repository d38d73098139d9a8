// Package aios composes the layers into one embeddable system: configuration in, LLM cores and a
// kernel, a WebAssembly engine, and agents run against them. It is the one place that knows every
// layer; cmd/aios is a thin CLI over it.
package aios

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"go.opentelemetry.io/otel/trace"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/dispatch"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/policy"
	"github.com/aiosys/aios/runtime"
)

// System is a kernel with its cores and an engine, ready to run agents.
type System struct {
	cfg    config.Config
	kernel *kernel.Kernel
	ledger *quota.Ledger
	engine runtime.Engine
	cores  []llm.Core
	router *dispatch.Dispatcher
	policy *policyParts
	// managers are the memory, storage and tool managers behind ABI 1.2's calls.
	managers *managers
	// trace makes the spans of runs; nil when nothing is traced.
	trace *tracing
	// agents starts the child agents of ABI 1.3's agent_spawn.
	agents *spawner
	// preinit pre-initialises plain reactor modules at load; nil unless [preinit] auto.
	preinit *preinitCache
}

// Option adjusts how New builds a System.
type Option func(*options)

type options struct {
	engine         string
	cores          []llm.Core
	observe        kernel.DecisionObserver
	tracerProvider trace.TracerProvider
}

// WithEngine selects the WebAssembly engine by name ("wazero", the default, or "wasmtime" in
// builds with the wasmtime tag).
func WithEngine(name string) Option { return func(o *options) { o.engine = name } }

// WithCores replaces the configured cores (tests and embedders with their own backends). A
// replacement named like a configured core is scheduled with that core's settings (capacity,
// rate limits, prices, class, weight); others have no bound.
func WithCores(cores ...llm.Core) Option { return func(o *options) { o.cores = cores } }

// New builds a System from cfg: its kernel sends every generation through a dispatcher over
// the configured cores, scheduled, retried and charged as cfg says. With no cores configured it
// uses the deterministic echo core. Every system call is decided by the policy cfg.Policy
// configures and recorded in the data directory's audit log (docs/POLICY.md). Agents' memory
// and storage live in the data directory (MemoryFile, StorageFile); the [[tools]] entries are
// started, and stopped by Close.
func New(ctx context.Context, cfg config.Config, opts ...Option) (*System, error) {
	o := options{engine: "wazero"}
	for _, opt := range opts {
		opt(&o)
	}
	pol, err := newPolicy(ctx, cfg, o.cores, o.observe)
	if err != nil {
		return nil, err
	}
	mgr, err := openManagers(ctx, cfg)
	if err != nil {
		_ = pol.close()
		return nil, err
	}
	led, err := openLedger(ctx, cfg)
	if err != nil {
		_ = mgr.close()
		_ = pol.close()
		return nil, err
	}
	sp := newSpawner(cfg.Agents)
	w, err := wireLedger(cfg, o.cores, led, append(mgr.options(), kernel.WithGate(pol.gate), kernel.WithAgents(sp, agentLimits(cfg.Agents)))...)
	if err != nil {
		_ = led.Close()
		_ = mgr.close()
		_ = pol.close()
		return nil, err
	}
	cacheDir := ""
	if cfg.DataDir != "" {
		cacheDir = filepath.Join(cfg.DataDir, "cache", "compiled")
	}
	rc := cfg.Runtime.Engine(cacheDir)
	tr, err := newTracing(ctx, cfg.Telemetry, o.tracerProvider)
	if err != nil {
		_ = led.Close()
		_ = mgr.close()
		_ = pol.close()
		return nil, err
	}
	eng, err := runtime.NewEngine(ctx, o.engine, rc)
	if err != nil {
		_ = tr.close()
		_ = led.Close()
		_ = mgr.close()
		_ = pol.close()
		return nil, err
	}
	s := &System{cfg: cfg, kernel: w.kernel, ledger: w.ledger, engine: eng, cores: w.cores, router: w.router, policy: pol, managers: mgr, trace: tr, agents: sp}
	sp.sys = s
	if cfg.Preinit.Auto {
		if s.preinit, err = openPreinitCache(cfg); err != nil {
			_ = s.Close(ctx)
			return nil, err
		}
	}
	return s, nil
}

// wiring is a kernel and what it was built over.
type wiring struct {
	kernel *kernel.Kernel
	ledger *quota.Ledger
	cores  []llm.Core
	router *dispatch.Dispatcher
}

// wire builds the kernel over a dispatcher. Capacity is enforced there alone: configured cores
// are built without their own bound. replace, when not nil, stands in for the configured cores
// (see WithCores). kopts configure the kernel.
func wire(cfg config.Config, replace []llm.Core, kopts ...kernel.Option) (wiring, error) {
	return wireLedger(cfg, replace, nil, kopts...)
}

// wireLedger is wire charging generations to ledger (openLedger), or to a ledger in memory when
// it is nil.
func wireLedger(cfg config.Config, replace []llm.Core, ledger *quota.Ledger, kopts ...kernel.Option) (wiring, error) {
	configured := cfg.CoresOrEcho()
	var backends []dispatch.Backend
	if replace == nil {
		for _, cc := range configured {
			c, err := llm.New(cc.Dispatched())
			if err != nil {
				return wiring{}, err
			}
			backends = append(backends, cc.Backend(c))
		}
	} else {
		byName := map[string]config.Core{}
		for _, cc := range configured {
			byName[cc.EffectiveName()] = cc
		}
		for _, c := range replace {
			cc, ok := byName[c.Name()]
			if !ok {
				cc = config.Core{}
			}
			backends = append(backends, cc.Backend(c))
		}
	}
	o, err := cfg.DispatchOptions()
	if err != nil {
		return wiring{}, fmt.Errorf("config: %w", err)
	}
	if ledger != nil {
		o.Ledger = ledger
	}
	d, err := dispatch.New(backends, o)
	if err != nil {
		return wiring{}, err
	}
	kopts = append(kopts, kernel.WithLedger(o.Ledger)) // runs with budgets of their own (bundles)
	w := wiring{kernel: kernel.New(d, kopts...), ledger: o.Ledger, router: d}
	for _, b := range backends {
		w.cores = append(w.cores, b.Core)
	}
	return w, nil
}

// Kernel returns the system's kernel.
func (s *System) Kernel() *kernel.Kernel { return s.kernel }

// Ledger returns the token and money accounts of every agent and tenant that has generated,
// with the [quotas] budgets.
func (s *System) Ledger() *quota.Ledger { return s.ledger }

// Engine returns the name of the system's WebAssembly engine.
func (s *System) Engine() string { return s.engine.Name() }

// EchoOnly reports whether every core is the built-in echo core, i.e. no real LLM is configured.
func (s *System) EchoOnly() bool {
	for _, c := range s.cores {
		if !llm.IsEcho(c) {
			return false
		}
	}
	return true
}

// Policy returns the system's policy engine (for `aios policy eval` and reloads).
func (s *System) Policy() *policy.Engine { return s.policy.engine }

// Close releases the engine and everything compiled with it, stops the tools, closes the memory
// and storage stores, stops reloading the policy, flushes and closes the audit log, and sends
// the last spans to the trace receiver (for a few seconds at most).
func (s *System) Close(ctx context.Context) error {
	s.agents.close(ctx)
	err := s.engine.Close(ctx)
	if terr := s.trace.close(); terr != nil && err == nil {
		err = fmt.Errorf("flush traces: %w", terr)
	}
	if merr := s.managers.close(); merr != nil && err == nil {
		err = merr
	}
	if lerr := s.ledger.Close(); lerr != nil && err == nil {
		err = lerr
	}
	if perr := s.policy.close(); perr != nil && err == nil {
		err = fmt.Errorf("close audit log: %w", perr)
	}
	return err
}

// Load validates and compiles an agent module. A module aios refuses to load (see IsRefused)
// is refused before any of its code runs.
//
// wasm may be a bundle (docs/BUNDLE.md): then every run of the agent is held to the budgets its
// manifest declares ([budgets]), within the [quotas] of the host. Checking the bundle's
// signature is the caller's business; a budget only lowers what a run may spend.
func (s *System) Load(ctx context.Context, name string, wasm []byte) (*Agent, error) {
	budget, err := bundleBudget(wasm)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	start, preinitialised := wasm, false
	if s.preinit != nil {
		start, preinitialised = s.preinit.module(ctx, wasm)
	}
	m, err := s.engine.Compile(ctx, start)
	if err != nil {
		if IsRefused(err) {
			return nil, err
		}
		return nil, fmt.Errorf("compile %s: %w", name, err)
	}
	a := &Agent{sys: s, name: name, module: m, budget: budget, digest: digestOf(wasm)}
	if preinitialised {
		a.plain = &plainModule{wasm: wasm}
	}
	return a, nil
}

// IsRefused reports whether err means a module was refused at load: it is not well-formed
// WebAssembly (*runtime.FormatError) or breaks the ABI's rules (*runtime.RefusedError).
func IsRefused(err error) bool {
	var refused *runtime.RefusedError
	var format *runtime.FormatError
	return errors.As(err, &refused) || errors.As(err, &format)
}
