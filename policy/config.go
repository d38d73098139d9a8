package policy

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// DefaultCacheSize is how many decisions the cache keeps when Config.CacheSize is zero.
const DefaultCacheSize = 4096

// DefaultPollInterval is how often Watch looks at the policy files when Config.PollInterval is
// zero.
const DefaultPollInterval = 2 * time.Second

// Config configures an Engine; it is the `[policy]` section of aios.toml.
type Config struct {
	// Paths are Rego files, data files (.json, .yaml, .yml) and directories holding them, loaded
	// beside the built-in default policy. Files ending in _test.rego are left to RunTests.
	Paths []string `toml:"paths"`
	// Grants are what the operator allows, by agent name, publisher key or tenant.
	Grants []Grant `toml:"grants"`
	// AllowHostAccess lets policies use built-ins that reach the network or the host
	// (http.send, net.lookup_ip_addr, opa.runtime, remote JSON schemas). Off by default.
	AllowHostAccess bool `toml:"allow_host_access"`
	// CacheSize bounds the decision cache; 0 means DefaultCacheSize, a negative value disables it.
	CacheSize int `toml:"cache_size"`
	// PollInterval is how often Watch checks the files for changes; 0 means DefaultPollInterval.
	PollInterval time.Duration `toml:"poll_interval"`
	// Logger receives reload results from Watch and ReloadOnSIGHUP; nil discards them.
	Logger *slog.Logger `toml:"-"`
}

// Grant allows the capabilities it lists to every agent its selectors match. A selector that is
// empty does not constrain; "*" matches any value; at least one selector must be set, so a grant
// to everyone is written Agent: "*".
type Grant struct {
	Agent     string `toml:"agent"`     // agent name
	Publisher string `toml:"publisher"` // publisher key fingerprint
	Tenant    string `toml:"tenant"`
	Capabilities
}

// ErrBadConfig reports an invalid Config.
var ErrBadConfig = errors.New("invalid policy configuration")

func (c *Config) validate() error {
	for i, g := range c.Grants {
		if g.Agent == "" && g.Publisher == "" && g.Tenant == "" {
			return fmt.Errorf("%w: grant %d selects no agent, publisher or tenant (use agent = \"*\" to grant to every agent)", ErrBadConfig, i+1)
		}
	}
	return nil
}

// clone returns c with its own copies of every slice, so the caller may change its Config after
// New without affecting later reloads.
func (c Config) clone() Config {
	c.Paths = slices.Clone(c.Paths)
	c.Grants = slices.Clone(c.Grants)
	for i := range c.Grants {
		g := &c.Grants[i].Capabilities
		g.Calls, g.Models, g.Classes = slices.Clone(g.Calls), slices.Clone(g.Models), slices.Clone(g.Classes)
		g.Tools, g.Hosts, g.Memory = slices.Clone(g.Tools), slices.Clone(g.Hosts), slices.Clone(g.Memory)
	}
	return c
}

func (c *Config) cacheSize() int {
	if c.CacheSize == 0 {
		return DefaultCacheSize
	}
	return max(c.CacheSize, 0)
}

func (c *Config) pollInterval() time.Duration {
	if c.PollInterval <= 0 {
		return DefaultPollInterval
	}
	return c.PollInterval
}

func (c *Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// grantsData is Grants as the default policy reads them at data.aios.config.grants.
func (c *Config) grantsData() []any {
	out := make([]any, len(c.Grants))
	for i, g := range c.Grants {
		out[i] = map[string]any{
			"agent":     g.Agent,
			"publisher": g.Publisher,
			"tenant":    g.Tenant,
			"calls":     strs(g.Calls),
			"models":    strs(g.Models),
			"classes":   strs(g.Classes),
			"tools":     strs(g.Tools),
			"hosts":     strs(g.Hosts),
			"memory":    strs(g.Memory),
		}
	}
	return out
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
