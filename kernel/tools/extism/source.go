package extism

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	sdk "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"

	"github.com/aiosys/aios/kernel/tools"
)

// Source is an Extism plugin serving its configured functions as tools. It is safe for
// concurrent use.
type Source struct {
	name      string
	infos     []tools.Info
	functions map[string]bool
	timeout   time.Duration
	maxOutput int64
	maxInput  int64 // the most bytes of arguments a call takes: a quarter of a memory
	pool      *pool
	ownCache  wazero.CompilationCache // closed by Close; nil when the cache is the caller's
}

var _ tools.Source = (*Source)(nil)

// New compiles the plugin cfg names and checks it: it must import nothing but Extism's
// environment and WASI, and export every configured function. The plugin gets no host
// functions, no allowed hosts or paths, no environment, no variables store, and memories of
// at most cfg.MaxMemoryPages pages.
func New(cfg Config) (*Source, error) {
	s, err := newSource(cfg)
	if err != nil {
		return nil, fmt.Errorf("extism plugin %q: %w", cfg.Name, err)
	}
	return s, nil
}

func newSource(cfg Config) (*Source, error) {
	if cfg.Name == "" {
		return nil, errors.New("no name")
	}
	if len(cfg.Functions) == 0 {
		return nil, errors.New("no functions")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("timeout %v is negative", cfg.Timeout)
	}
	s := &Source{
		name:      cfg.Name,
		functions: make(map[string]bool, len(cfg.Functions)),
		timeout:   cfg.Timeout,
		maxOutput: cfg.MaxOutputBytes,
	}
	for _, fn := range cfg.Functions {
		info, err := toolInfo(cfg.Name, fn)
		if err != nil {
			return nil, err
		}
		if s.functions[fn.Name] {
			return nil, fmt.Errorf("function %q configured twice", fn.Name)
		}
		s.functions[fn.Name] = true
		s.infos = append(s.infos, info)
	}
	wasm := cfg.Wasm
	if len(wasm) == 0 {
		if cfg.Path == "" {
			return nil, errors.New("neither a path nor wasm bytes")
		}
		var err error
		if wasm, err = os.ReadFile(cfg.Path); err != nil {
			return nil, err
		}
	}
	pages := cfg.MaxMemoryPages
	if pages == 0 {
		pages = DefaultMaxMemoryPages
	}
	if pages > 65536 {
		return nil, fmt.Errorf("max memory pages %d is more than a 32-bit memory has (65536)", pages)
	}
	s.maxInput = int64(pages) * 65536 / 4
	instances := cfg.Instances
	if instances == 0 {
		instances = DefaultInstances
	}

	ctx := context.Background()
	cache := cfg.Cache
	if cache == nil {
		cache = wazero.NewCompilationCache()
		s.ownCache = cache
	}
	// Close on context done: a call's deadline stops a plugin that loops forever. It changes
	// the compiled code, so inspection and Extism must use the same config to share the cache.
	rc := wazero.NewRuntimeConfig().WithCompilationCache(cache).WithCloseOnContextDone(true).WithMemoryLimitPages(pages)
	needsWasi, err := inspectModule(ctx, rc, wasm, cfg.Functions)
	if err != nil {
		s.closeCache()
		return nil, err
	}
	manifest := sdk.Manifest{
		Wasm: []sdk.Wasm{sdk.WasmData{Data: wasm}},
		// MaxVarBytes 0 disables Extism's variables, state that would outlive a call.
		Memory: &sdk.ManifestMemory{MaxPages: pages, MaxHttpResponseBytes: 0, MaxVarBytes: 0},
	}
	compiled, err := sdk.NewCompiledPlugin(ctx, manifest, sdk.PluginConfig{
		RuntimeConfig: rc,
		EnableWasi:    needsWasi,
	}, nil)
	if err != nil {
		s.closeCache()
		return nil, err
	}
	s.pool = newPool(compiled, instances)
	return s, nil
}

func toolInfo(source string, fn Function) (tools.Info, error) {
	if fn.Name == "" {
		return tools.Info{}, errors.New("a function has no name")
	}
	if fn.Name == "_initialize" || fn.Name == "_start" {
		return tools.Info{}, fmt.Errorf("function %q is the module's initializer, not a tool", fn.Name)
	}
	params := fn.Parameters
	if len(params) == 0 {
		params = anyObject
	}
	var schema map[string]any
	if err := json.Unmarshal(params, &schema); err != nil || schema == nil {
		return tools.Info{}, fmt.Errorf("function %q: parameters are not a JSON Schema object", fn.Name)
	}
	return tools.Info{
		Tool:   tools.Tool{Name: fn.Name, Description: fn.Description, Parameters: params},
		Kind:   "extism",
		Source: source,
	}, nil
}

// Tools lists the configured functions.
func (s *Source) Tools(ctx context.Context) ([]tools.Info, error) {
	return append([]tools.Info(nil), s.infos...), nil
}

// Close closes the plugin's instances, ending calls in flight, and frees its compiled code.
func (s *Source) Close() error {
	err := s.pool.close()
	s.closeCache()
	return err
}

func (s *Source) closeCache() {
	if s.ownCache != nil {
		s.ownCache.Close(context.Background())
	}
}

// Name returns the plugin's configured name (tools.Named), which the manager reports when the
// plugin cannot list its tools.
func (s *Source) Name() string { return s.name }
