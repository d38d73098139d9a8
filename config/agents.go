package config

import "fmt"

// Agents configures child agents (ABI 1.3's agent_spawn) and the messages between a run's
// agents. Zero limits take kernel.DefaultAgentLimits' values (64, 8, 1000, 64, 64 KiB).
type Agents struct {
	// Dir is the directory whose modules agents may start, named by a path relative to it;
	// empty: agents cannot start agents. Relative to the configuration file.
	Dir string
	// MaxChildren bounds the children of one agent alive at once.
	MaxChildren int
	// MaxDepth bounds the generations of children below a run's first agent.
	MaxDepth int
	// MaxTree bounds the agents of one run alive at once, its first agent included.
	MaxTree int
	// Mailbox bounds the messages waiting for one agent.
	Mailbox int
	// MaxMessage bounds the bytes of one message's body.
	MaxMessage int
}

type fileAgents struct {
	Dir         string `toml:"dir"`
	MaxChildren int    `toml:"max_children"`
	MaxDepth    int    `toml:"max_depth"`
	MaxTree     int    `toml:"max_tree"`
	Mailbox     int    `toml:"mailbox"`
	MaxMessage  int    `toml:"max_message"`
}

func (f fileAgents) agents(base string) (Agents, error) {
	a := Agents{MaxChildren: f.MaxChildren, MaxDepth: f.MaxDepth, MaxTree: f.MaxTree, Mailbox: f.Mailbox, MaxMessage: f.MaxMessage}
	for name, v := range map[string]int{"max_children": f.MaxChildren, "max_depth": f.MaxDepth, "max_tree": f.MaxTree,
		"mailbox": f.Mailbox, "max_message": f.MaxMessage} {
		if v < 0 {
			return Agents{}, fmt.Errorf("agents.%s: %d is negative", name, v)
		}
	}
	if f.Dir != "" {
		p, err := expandPath(f.Dir, base)
		if err != nil {
			return Agents{}, fmt.Errorf("agents.dir: %w", err)
		}
		a.Dir = p
	}
	return a, nil
}
