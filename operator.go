package aios

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel/tools"
	"github.com/aiosys/aios/policy"
)

// This file is what operator commands (aios tools list) need of a System's parts without
// running one.

// OpenTools starts the tools of cfg's [[tools]] entries as a System does: http_fetch built in,
// Extism plugins loaded, MCP servers started and asked for their tools. It returns nil and no
// error when no tools are configured. The caller closes the manager, which stops them.
//
// # Notes
//
// A source that cannot list its tools (a server that does not start) fails none of the others:
// the manager's Unavailable says why.
func OpenTools(cfg config.Config) (*tools.Manager, error) {
	if len(cfg.Tools) == 0 {
		return nil, nil
	}
	sources, err := toolSources(cfg, nil)
	if err != nil {
		return nil, err
	}
	m, err := tools.New(sources, cfg.ToolOptions())
	if err != nil {
		return nil, fmt.Errorf("tools: %w", err)
	}
	return m, nil
}

// ToolPolicy answers whether cfg's policy lets an agent call a tool, as the kernel answers it
// when the agent asks tool_list: a tool_call naming the tool (no host), decided without usage,
// rate limits, confirmation or a record in the audit log.
type ToolPolicy struct {
	engine *policy.Engine
}

// NewToolPolicy builds cfg's policy engine ([policy], with the implicit grant when there is
// none), as a System does.
func NewToolPolicy(ctx context.Context, cfg config.Config) (*ToolPolicy, error) {
	pc := cfg.Policy.EngineConfig()
	if pc.Logger == nil {
		pc.Logger = slog.Default()
	}
	eng, err := policy.New(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return &ToolPolicy{engine: eng}, nil
}

// Decide decides a tool_call of tool by agent. The agent is taken as given: a plain module
// (no manifest) declares kernel.UnpackagedCapabilities, as `aios run` gives it, and a bundle
// what its manifest declares. An error means the policy could not be evaluated; the decision
// then denies.
func (p *ToolPolicy) Decide(ctx context.Context, agent policy.Agent, tool string) (policy.Decision, error) {
	return p.engine.Decide(ctx, policy.Input{Agent: agent, Call: "tool_call", Args: map[string]any{"tool": tool}})
}
