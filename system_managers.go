package aios

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tetratelabs/wazero"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/storage"
	"github.com/aiosys/aios/kernel/tools"
	"github.com/aiosys/aios/kernel/tools/extism"
	"github.com/aiosys/aios/kernel/tools/mcp"
)

// The files of the memory and storage managers in the data directory.
const (
	MemoryFile  = "memory.db"
	StorageFile = "storage.db"
)

// managers are the kernel's memory, storage and tool managers (ABI 1.2), opened from the
// configuration. Without a data directory there is no memory or storage: their calls answer
// ENOSYS.
type managers struct {
	memory  *memory.Store
	storage *storage.Store
	tools   *tools.Manager
	emb     *kernel.MemoryEmbedder
	// pluginCache keeps the Extism plugins' compiled code in the data directory, so a plugin
	// is compiled once, not by every `aios run`; nil without plugins.
	pluginCache wazero.CompilationCache
}

// openManagers opens the stores in cfg's data directory and starts the configured tools.
func openManagers(ctx context.Context, cfg config.Config) (*managers, error) {
	m := &managers{}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		m.emb = &kernel.MemoryEmbedder{Model: cfg.Memory.EmbedModel}
		var err error
		if m.memory, err = memory.Open(filepath.Join(cfg.DataDir, MemoryFile), cfg.Memory.Options(m.emb)); err != nil {
			return nil, fmt.Errorf("memory: %w", err)
		}
		if m.storage, err = storage.Open(ctx, filepath.Join(cfg.DataDir, StorageFile), cfg.Storage.Limits()); err != nil {
			_ = m.close()
			return nil, fmt.Errorf("storage: %w", err)
		}
	}
	if len(cfg.Tools) > 0 {
		sources, err := toolSources(cfg, m.plugins(cfg))
		if err != nil {
			_ = m.close()
			return nil, err
		}
		if m.tools, err = tools.New(sources, cfg.ToolOptions()); err != nil {
			for _, s := range sources {
				_ = s.Close()
			}
			_ = m.close()
			return nil, fmt.Errorf("tools: %w", err)
		}
	}
	return m, nil
}

// toolSources builds a source for every [[tools]] entry. Extism plugins compile into cache; nil
// gives each its own, freed when the source is closed.
func toolSources(cfg config.Config, cache wazero.CompilationCache) ([]tools.Source, error) {
	sources, err := cfg.BuiltinTools()
	if err != nil {
		return nil, fmt.Errorf("tools: %w", err)
	}
	fail := func(err error) ([]tools.Source, error) {
		for _, s := range sources {
			_ = s.Close()
		}
		return nil, fmt.Errorf("tools: %w", err)
	}
	for _, t := range cfg.Tools {
		switch t.Kind {
		case tools.KindExtism:
			fns := make([]extism.Function, len(t.Functions))
			for i, f := range t.Functions {
				fns[i] = extism.Function{Name: f.Name, Description: f.Description, Parameters: f.Parameters}
			}
			s, err := extism.New(extism.Config{Name: t.Name, Path: t.Path, Functions: fns, Cache: cache})
			if err != nil {
				return fail(fmt.Errorf("%s: %w", t.Name, err))
			}
			sources = append(sources, s)
		case tools.KindMCP:
			s, err := mcp.New(mcpConfig(cfg, t))
			if err != nil {
				return fail(fmt.Errorf("%s: %w", t.Name, err))
			}
			sources = append(sources, s)
		}
	}
	return sources, nil
}

// plugins returns the compilation cache of the Extism plugins: in the data directory when
// there is one, in memory otherwise.
func (m *managers) plugins(cfg config.Config) wazero.CompilationCache {
	if m.pluginCache == nil {
		if cfg.DataDir != "" {
			c, err := wazero.NewCompilationCacheWithDir(filepath.Join(cfg.DataDir, "cache", "plugins"))
			if err == nil {
				m.pluginCache = c
				return c
			}
		}
		m.pluginCache = wazero.NewCompilationCache()
	}
	return m.pluginCache
}

// options are the kernel options that give it the managers.
func (m *managers) options() []kernel.Option {
	var opts []kernel.Option
	if m.memory != nil {
		opts = append(opts, kernel.WithMemory(m.memory, m.emb))
	}
	if m.storage != nil {
		opts = append(opts, kernel.WithStorage(m.storage))
	}
	if m.tools != nil {
		opts = append(opts, kernel.WithTools(m.tools))
	}
	return opts
}

// close stops the tools and closes the stores.
func (m *managers) close() error {
	var errs []error
	if m.tools != nil {
		errs = append(errs, m.tools.Close())
	}
	if m.pluginCache != nil { // after the plugins that use it
		errs = append(errs, m.pluginCache.Close(context.Background()))
	}
	if m.memory != nil {
		errs = append(errs, m.memory.Close())
	}
	if m.storage != nil {
		errs = append(errs, m.storage.Close())
	}
	return errors.Join(errs...)
}

// mcpConfig is the MCP server of an mcp entry. A stdio server runs in the configuration file's
// directory, so a relative command is relative to the file, like every path in it; an Env
// entry without "=" passes aios's own value of that variable.
func mcpConfig(cfg config.Config, t config.Tool) mcp.Config {
	env := make([]string, 0, len(t.Env))
	for _, e := range t.Env {
		if !strings.Contains(e, "=") {
			e += "=" + os.Getenv(e)
		}
		env = append(env, e)
	}
	c := mcp.Config{Name: t.Name, Command: t.Command, URL: t.URL, Env: env, Tools: t.Tools}
	if cfg.Path != "" {
		c.Dir = filepath.Dir(cfg.Path)
	}
	return c
}

// ToolsUnavailable says which configured tool sources or tools cannot be used now, and why:
// a server that would not start, a tool its server does not have. They are asked again later.
func (s *System) ToolsUnavailable() []string {
	if s.managers == nil || s.managers.tools == nil {
		return nil
	}
	return s.managers.tools.Unavailable()
}
