package config

import (
	"fmt"
	"slices"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/policy"
)

// Policy is the [policy] table: the policy engine's configuration plus what the kernel's policy
// gate and the audit log need. docs/CONFIG.md and docs/POLICY.md describe it.
type Policy struct {
	// Configured says the file has a [policy] table. Without one, aios grants every agent the
	// models and classes of the configured cores (see ImplicitGrant); with one, only Grants.
	Configured bool
	// Engine is the policy engine's configuration: paths (Rego and data files, with data's
	// files appended), grants, allow_host_access, cache_size, poll_interval.
	Engine policy.Config
	// NoAudit turns the audit log off (audit = false); by default every decision is recorded
	// in the data directory's audit log.
	NoAudit bool
	// Approve lists calls pre-approved when policy requires confirmation: "llm_generate" or
	// "agent:llm_generate".
	Approve []string
	// Rates bound how often each agent may make a call, by call name.
	Rates map[string]kernel.Rate
}

// ImplicitGrant is the operator grant in force when no [policy] table is configured: every
// agent may use any model or class the configured cores serve (the dispatcher refuses the
// rest) and any tool the file's [[tools]] configure, at any host (http_fetch's own
// allow_hosts and address rules still bound it), and nothing else that needs a grant.
func ImplicitGrant() policy.Grant {
	return policy.Grant{Agent: "*", Capabilities: policy.Capabilities{Models: []string{"*"}, Classes: []string{"*"},
		Tools: []string{"*"}, Hosts: []string{"*"}}}
}

// EngineConfig returns the policy engine's configuration: Engine, plus ImplicitGrant when no
// [policy] table is configured.
func (p Policy) EngineConfig() policy.Config {
	c := p.Engine
	c.Paths = slices.Clone(c.Paths)
	c.Grants = slices.Clone(c.Grants)
	if !p.Configured {
		c.Grants = append(c.Grants, ImplicitGrant())
	}
	return c
}

type filePolicy struct {
	Paths           []string            `toml:"paths"`
	Data            []string            `toml:"data"`
	Grants          []fileGrant         `toml:"grants"`
	AllowHostAccess bool                `toml:"allow_host_access"`
	CacheSize       int                 `toml:"cache_size"`
	PollInterval    Duration            `toml:"poll_interval"`
	Audit           *bool               `toml:"audit"`
	Approve         []string            `toml:"approve"`
	Rates           map[string]fileRate `toml:"rates"`
}

type fileGrant struct {
	Agent     string   `toml:"agent"`
	Publisher string   `toml:"publisher"`
	Tenant    string   `toml:"tenant"`
	Calls     []string `toml:"calls"`
	Models    []string `toml:"models"`
	Classes   []string `toml:"classes"`
	Tools     []string `toml:"tools"`
	Hosts     []string `toml:"hosts"`
	Memory    []string `toml:"memory"`
}

type fileRate struct {
	Calls int      `toml:"calls"`
	Per   Duration `toml:"per"`
}

// policy converts the table; relative paths are relative to base, the file's directory.
func (f filePolicy) policy(md toml.MetaData, base string) (Policy, error) {
	p := Policy{Configured: md.IsDefined("policy")}
	if f.Audit != nil {
		p.NoAudit = !*f.Audit
	}
	for _, raw := range slices.Concat(f.Paths, f.Data) {
		abs, err := expandPath(raw, base)
		if err != nil {
			return Policy{}, fmt.Errorf("policy.paths: %w", err)
		}
		p.Engine.Paths = append(p.Engine.Paths, abs)
	}
	for i, g := range f.Grants {
		if g.Agent == "" && g.Publisher == "" && g.Tenant == "" {
			return Policy{}, fmt.Errorf("policy.grants[%d] selects no agent, publisher or tenant (use agent = \"*\" to grant to every agent)", i)
		}
		p.Engine.Grants = append(p.Engine.Grants, policy.Grant{Agent: g.Agent, Publisher: g.Publisher, Tenant: g.Tenant,
			Capabilities: policy.Capabilities{Calls: g.Calls, Models: g.Models, Classes: g.Classes, Tools: g.Tools, Hosts: g.Hosts, Memory: g.Memory}})
	}
	p.Engine.AllowHostAccess = f.AllowHostAccess
	p.Engine.CacheSize = f.CacheSize
	p.Engine.PollInterval = time.Duration(f.PollInterval)
	p.Approve = f.Approve
	for call, r := range f.Rates {
		if r.Calls < 1 || r.Per <= 0 {
			return Policy{}, fmt.Errorf("policy.rates.%s: want calls >= 1 and a positive per, e.g. calls = 60, per = \"1m\"", call)
		}
		if p.Rates == nil {
			p.Rates = map[string]kernel.Rate{}
		}
		p.Rates[call] = kernel.Rate{Calls: r.Calls, Per: time.Duration(r.Per)}
	}
	return p, nil
}
