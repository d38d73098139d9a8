package policy

// Input is the document a policy sees as `input` for one system call. It marshals to the JSON
// shape docs/POLICY.md specifies, so `aios policy eval --input FILE` accepts the same document.
type Input struct {
	// Agent is who calls: identity from the bundle and its signature, never from the call.
	Agent Agent `json:"agent"`
	// Call is the system call's name, e.g. "llm_generate", or StartCall for the per-start decision.
	Call string `json:"call"`
	// Args are the call's normalized arguments (model, class, tool, host, space, ...), not its
	// payload: no prompts, no bodies. They are part of the cache key. Values may be nil, bool,
	// string, int, int64, float64, json.Number, []string, []any, map[string]string or
	// map[string]any (nested of the same); any other type makes Decide fail.
	Args map[string]any `json:"args"`
	// Usage is what the agent (this process) has consumed so far.
	Usage Usage `json:"usage"`
	// TenantUsage is what every process of the agent's tenant has consumed together, this one
	// included, since the kernel started: five replicas of one tenant share one budget when a
	// policy reads it. A process without a tenant is a tenant of its own.
	TenantUsage Usage `json:"tenant_usage"`
}

// Agent identifies the calling agent and what its manifest declares.
type Agent struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Digest    string `json:"digest"`    // the module's content digest, e.g. "sha256:..."
	Publisher string `json:"publisher"` // the signing key's fingerprint; empty when unsigned
	Tenant    string `json:"tenant"`
	// Capabilities are what the agent's manifest declares it needs.
	Capabilities Capabilities `json:"capabilities"`
}

// Capabilities lists what an agent declares or an operator grants. An entry "*" stands for any
// value; in Hosts, an entry "*.example.com" also matches every subdomain of example.com.
type Capabilities struct {
	Calls   []string `json:"calls" toml:"calls"`     // other system calls by name, e.g. "agent_spawn"
	Models  []string `json:"models" toml:"models"`   // model names or aliases
	Classes []string `json:"classes" toml:"classes"` // model capability classes, e.g. "small"
	Tools   []string `json:"tools" toml:"tools"`     // tool names
	Hosts   []string `json:"hosts" toml:"hosts"`     // hosts a tool call may reach
	Memory  []string `json:"memory" toml:"memory"`   // memory spaces
}

// Usage is what an agent has consumed since it started. Only the fields a loaded policy reads
// are part of the decision cache key (see docs/POLICY.md).
type Usage struct {
	Calls        int64 `json:"calls"`
	Generations  int64 `json:"generations"`
	ToolCalls    int64 `json:"tool_calls"`
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
	CostMicroUSD int64 `json:"cost_micro_usd"` // money spent, in millionths of a US dollar
}

// usageFields names Usage's fields as the input document spells them, in a fixed order.
var usageFields = [...]string{"calls", "generations", "tool_calls", "input_tokens", "output_tokens", "cost_micro_usd"}

// values returns u's fields in the order of usageFields.
func (u Usage) values() [len(usageFields)]int64 {
	return [...]int64{u.Calls, u.Generations, u.ToolCalls, u.InputTokens, u.OutputTokens, u.CostMicroUSD}
}
