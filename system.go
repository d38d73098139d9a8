// Package aios composes the layers into one embeddable system: configuration in, LLM cores and a
// kernel, a WebAssembly engine, and agents run against them. It is the one place that knows every
// layer; cmd/aios is a thin CLI over it.
package aios

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/runtime"
)

// System is a kernel with its cores and an engine, ready to run agents.
type System struct {
	cfg    config.Config
	kernel *kernel.Kernel
	engine runtime.Engine
	cores  []llm.Core
}

// Option adjusts how New builds a System.
type Option func(*options)

type options struct {
	engine string
	cores  []llm.Core
}

// WithEngine selects the WebAssembly engine by name ("wazero", the default, or "wasmtime" in
// builds with the wasmtime tag).
func WithEngine(name string) Option { return func(o *options) { o.engine = name } }

// WithCores replaces the configured cores (tests and embedders with their own backends).
func WithCores(cores ...llm.Core) Option { return func(o *options) { o.cores = cores } }

// New builds a System from cfg. With no cores configured it uses the deterministic echo core.
func New(ctx context.Context, cfg config.Config, opts ...Option) (*System, error) {
	o := options{engine: "wazero"}
	for _, opt := range opts {
		opt(&o)
	}
	cores := o.cores
	if cores == nil {
		for _, cc := range cfg.CoresOrEcho() {
			c, err := llm.New(cc)
			if err != nil {
				return nil, fmt.Errorf("core %q: %w", cc.Name, err)
			}
			cores = append(cores, c)
		}
	}
	rc := runtime.Config{}
	if cfg.DataDir != "" {
		rc.CacheDir = filepath.Join(cfg.DataDir, "cache", "compiled")
	}
	eng, err := runtime.NewEngine(ctx, o.engine, rc)
	if err != nil {
		return nil, err
	}
	return &System{cfg: cfg, kernel: kernel.New(kernel.Cores(cores)), engine: eng, cores: cores}, nil
}

// Kernel returns the system's kernel.
func (s *System) Kernel() *kernel.Kernel { return s.kernel }

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

// Close releases the engine and everything compiled with it.
func (s *System) Close(ctx context.Context) error {
	return s.engine.Close(ctx)
}

// Load validates and compiles an agent module. A refused module gives a *runtime.RefusedError.
func (s *System) Load(ctx context.Context, name string, wasm []byte) (*Agent, error) {
	m, err := s.engine.Compile(ctx, wasm)
	if err != nil {
		var refused *runtime.RefusedError
		if errors.As(err, &refused) {
			return nil, err
		}
		return nil, fmt.Errorf("compile %s: %w", name, err)
	}
	return &Agent{sys: s, name: name, module: m}, nil
}
