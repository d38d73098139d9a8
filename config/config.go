// Package config reads aios.toml, aios's configuration file, and applies the AIOS_*
// environment variables over it. docs/CONFIG.md documents every key.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/limits"
)

// Environment variables that override the file.
const (
	// EnvConfig names the configuration file to read when Load is given none.
	EnvConfig = "AIOS_CONFIG"
	// EnvDataDir overrides data_dir.
	EnvDataDir = "AIOS_DATA_DIR"
)

// Config is aios's configuration.
type Config struct {
	// Path is the file the configuration was read from; empty when no file was read.
	Path string
	// DataDir holds databases, caches and journals. Default: $XDG_DATA_HOME/aios, or
	// ~/.local/share/aios.
	DataDir string
	// Cores are the LLM backends; see CoresOrEcho.
	Cores []Core
	// Scheduler orders and places generations; keys the file leaves out have
	// DefaultScheduler's values.
	Scheduler Scheduler
	// Aliases map names agents may ask for onto models, classes or other aliases.
	Aliases map[string]string
	// Quotas are token and money budgets per agent and tenant.
	Quotas Quotas
	// Limits bound each agent; fields the file leaves out have limits.Defaults' values.
	Limits limits.Limits
	// Policy decides every system call; see Policy and docs/POLICY.md.
	Policy Policy
	// Trust says whose bundles run; flags add to it.
	Trust Trust
	// Hub says where bundles come from and where pulled ones are kept.
	Hub Hub
	// Server holds `aios kernel serve`'s defaults; Remote names the kernel the remote commands
	// talk to by default.
	Server Serve
	Remote Remote
	// Audit says how much of the audit log to keep; keys the file leaves out have
	// DefaultAudit's values.
	Audit Audit
	// Tools are the [[tools]] entries: the sources of the tools agents may call.
	Tools []Tool
	// Memory configures the memory manager: embeddings and quotas per space.
	Memory Memory
	// Storage configures the storage manager: quotas per space.
	Storage Storage
	// Telemetry says where traces of runs and system calls go; none by default.
	Telemetry Telemetry
	// Agents configures the agents a run may start (agent_spawn) and their messages.
	Agents Agents
	// Journal configures the journals of durable runs (docs/DURABLE.md).
	Journal Journal
	// Durable configures restart policies and resumes of durable runs (docs/DURABLE.md).
	Durable Durable
	// Preinit configures the pre-initialisation of plain reactor modules at load.
	Preinit Preinit
	// Runtime configures the WebAssembly engine (the wasmtime engine's pool).
	Runtime Runtime
}

// Default returns the configuration used when there is no file: no data directory yet (Load
// fills it in), no cores, the default scheduler and limits.
func Default() Config {
	return Config{Scheduler: DefaultScheduler(), Limits: limits.Defaults(), Audit: DefaultAudit(),
		Telemetry: Telemetry{SampleRatio: 1, ServiceName: DefaultServiceName}}
}

// Load reads the configuration file at path, applies the AIOS_* environment variables over it,
// fills in defaults and validates the result.
//
// An empty path means the file AIOS_CONFIG names or, when that is unset, the default location
// (DefaultPath). A missing file at the default location gives the defaults; a missing file the
// caller or AIOS_CONFIG named is an error. A key aios does not know is an error naming the key
// and its line.
func Load(path string) (Config, error) {
	explicit := path != ""
	if !explicit {
		path = os.Getenv(EnvConfig)
		explicit = path != ""
	}
	if !explicit {
		path = DefaultPath()
	}
	cfg := Default()
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := cfg.decode(path, data); err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
		cfg.Path = path
	case errors.Is(err, fs.ErrNotExist) && !explicit:
	default:
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	if err := cfg.applyEnv(); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		if cfg.Path != "" {
			return Config{}, fmt.Errorf("config %s: %w", cfg.Path, err)
		}
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

func (c *Config) decode(path string, data []byte) error {
	var f fileConfig
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return err
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		msgs := make([]string, 0, len(undecoded))
		for _, k := range undecoded {
			msg := fmt.Sprintf("unknown key %q", k.String())
			if n := keyLine(data, k); n > 0 {
				msg = fmt.Sprintf("line %d: %s", n, msg)
			}
			msgs = append(msgs, msg)
		}
		return errors.New(strings.Join(msgs, "; ") + " (see docs/CONFIG.md for the keys aios knows)")
	}
	if f.DataDir != "" {
		dir, err := expandPath(f.DataDir, filepath.Dir(path))
		if err != nil {
			return fmt.Errorf("data_dir: %w", err)
		}
		c.DataDir = dir
	}
	for _, fc := range f.Cores {
		c.Cores = append(c.Cores, fc.core())
	}
	c.Scheduler = f.Scheduler.scheduler(md)
	c.Aliases = f.Aliases
	c.Quotas = f.Quotas.quotas()
	c.Limits = f.Limits.limits().Or(limits.Defaults())
	if c.Policy, err = f.Policy.policy(md, filepath.Dir(path)); err != nil {
		return err
	}
	if c.Trust, err = f.Trust.trust(filepath.Dir(path)); err != nil {
		return err
	}
	if c.Hub, err = f.Hub.hub(filepath.Dir(path)); err != nil {
		return err
	}
	if c.Server, err = f.Server.serve(filepath.Dir(path)); err != nil {
		return err
	}
	if c.Remote, err = f.Remote.remote(filepath.Dir(path)); err != nil {
		return err
	}
	if c.Audit, err = f.Audit.audit(); err != nil {
		return err
	}
	if c.Agents, err = f.Agents.agents(filepath.Dir(path)); err != nil {
		return err
	}
	if c.Journal, err = f.Journal.journal(); err != nil {
		return err
	}
	if c.Durable, err = f.Durable.durable(); err != nil {
		return err
	}
	if c.Preinit, err = f.Preinit.preinit(); err != nil {
		return err
	}
	if c.Runtime, err = f.Runtime.runtime(); err != nil {
		return err
	}
	if c.Tools, err = fileTools(f.Tools, filepath.Dir(path)); err != nil {
		return err
	}
	c.Memory, c.Storage = f.Memory.memory(), f.Storage.storage()
	c.Telemetry = f.Telemetry.telemetry()
	return nil
}

func (c *Config) applyEnv() error {
	c.Telemetry = c.Telemetry.withEnv()
	if dir := os.Getenv(EnvDataDir); dir != "" {
		abs, err := expandPath(dir, "")
		if err != nil {
			return fmt.Errorf("%s: %w", EnvDataDir, err)
		}
		c.DataDir = abs
	}
	if c.DataDir == "" {
		dir, err := DefaultDataDir()
		if err != nil {
			return err
		}
		c.DataDir = dir
	}
	return nil
}

// CoresOrEcho returns the configured cores or, when there are none, one echo core.
func (c Config) CoresOrEcho() []Core {
	if len(c.Cores) == 0 {
		return []Core{{CoreConfig: llm.CoreConfig{Name: llm.EchoName, Kind: llm.KindEcho}}}
	}
	return c.Cores
}
