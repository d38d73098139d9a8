package client

import "time"

// Run statuses. A run is queued until the kernel admits it, running until it ends, then
// exited (the agent ended by itself; ExitCode says how), failed (it could not start, trapped
// or hit a limit; Error says why) or canceled (DELETE /v1/runs/{id} or the server shut down).
const (
	StatusQueued   = "queued"
	StatusRunning  = "running"
	StatusExited   = "exited"
	StatusFailed   = "failed"
	StatusCanceled = "canceled"
)

// Final reports whether status is one a run ends in.
func Final(status string) bool {
	return status == StatusExited || status == StatusFailed || status == StatusCanceled
}

// RunRequest is the body of POST /v1/runs.
type RunRequest struct {
	// Module is the agent: a plain WebAssembly module or a bundle (base64 in JSON). Exactly
	// one of Module, Path and Ref is given.
	Module []byte `json:"module,omitempty"`
	// Path names a module or bundle file on the server, relative to its modules directory
	// (`aios kernel serve --modules-dir`); a path that leaves it is refused.
	Path string `json:"path,omitempty"`
	// Ref is a hub reference, HOST/REPOSITORY[:TAG|@DIGEST], that the server pulls (into its
	// cache) and verifies against its own trust configuration, as `aios run REF` does.
	Ref string `json:"ref,omitempty"`
	// Name names a plain module's run; a bundle's manifest names its own. Default "agent".
	Name     string   `json:"name,omitempty"`
	Input    string   `json:"input,omitempty"`
	Args     []string `json:"args,omitempty"`
	Env      []string `json:"env,omitempty"`
	Priority int      `json:"priority,omitempty"`
	Limits   *Limits  `json:"limits,omitempty"`
	// Restart is the run's restart policy on a durable kernel (docs/DURABLE.md, "Restart
	// policies"); nil takes the kernel's [durable] restart. A kernel that is not durable
	// refuses it.
	Restart *Restart `json:"restart,omitempty"`
}

// Restart is a run's restart policy: with "on-failure", a run that fails is restarted at most
// MaxRestarts times (default 3), the first after Backoff (default "1s"), each next after
// twice the last, never more than MaxBackoff (default "5m").
type Restart struct {
	// Policy is "never" or "on-failure".
	Policy      string `json:"policy"`
	MaxRestarts int    `json:"max_restarts,omitempty"`
	// Backoff and MaxBackoff are Go durations, e.g. "2s".
	Backoff    string `json:"backoff,omitempty"`
	MaxBackoff string `json:"max_backoff,omitempty"`
}

// Limits are the limits a run asks for; the server lowers none of its own for them: a limit
// above the host's is refused.
type Limits struct {
	// WallTime and CPUTime are Go durations, e.g. "30s".
	WallTime string `json:"wall_time,omitempty"`
	CPUTime  string `json:"cpu_time,omitempty"`
	// Memory and Output are bytes.
	Memory uint64 `json:"memory,omitempty"`
	Output uint64 `json:"output,omitempty"`
}

// Run is a run as GET /v1/runs/{id} shows it.
type Run struct {
	ID       string     `json:"id"`
	Name     string     `json:"name,omitempty"`
	Tenant   string     `json:"tenant,omitempty"`
	Status   string     `json:"status"`
	ExitCode *int       `json:"exit_code,omitempty"`
	Usage    *Usage     `json:"usage,omitempty"`
	Started  *time.Time `json:"started,omitempty"`
	Ended    *time.Time `json:"ended,omitempty"`
	Error    string     `json:"error,omitempty"`
}

// Usage is what a run, or a tenant's runs together, consumed. Cost is in millionths of the
// currency unit (micro-dollars).
type Usage struct {
	Calls        int   `json:"calls"`
	Denied       int   `json:"denied"`
	Generations  int   `json:"generations"`
	ToolCalls    int   `json:"tool_calls"`
	InputTokens  int   `json:"input_tokens"`
	OutputTokens int   `json:"output_tokens"`
	Cost         int64 `json:"cost"`
}

// TenantUsage is the body of GET /v1/usage: what the tenant's finished runs used since the
// server started, how many runs it has, and its budget in the kernel's quota ledger.
type TenantUsage struct {
	Tenant   string `json:"tenant"`
	Runs     int    `json:"runs"`
	Finished int    `json:"finished"`
	Usage    Usage  `json:"usage"`
	Budget   Budget `json:"budget"`
}

// Budget is a tenant's account in the kernel's quota ledger: its limits ([quotas.tenants] of
// the kernel's configuration; zero is unlimited) and its use in the current period, counted by
// every process that shares the ledger (the server and `aios run` on its data directory).
// Costs are micro-dollars.
type Budget struct {
	// Period is "lifetime", "daily" or "monthly" (UTC days and months).
	Period         string `json:"period"`
	TokensLimit    int64  `json:"tokens_limit"`
	CostLimit      int64  `json:"cost_limit"`
	TokensUsed     int64  `json:"tokens_used"`
	CostUsed       int64  `json:"cost_used"`
	TokensReserved int64  `json:"tokens_reserved"`
	CostReserved   int64  `json:"cost_reserved"`
}

// Event types on a run's event stream.
const (
	EventLog      = "log"      // a log line: Level and Text
	EventToken    = "token"    // streamed LLM text: Text
	EventStatus   = "status"   // the run's status changed: Status, ExitCode, Text (error)
	EventNotice   = "notice"   // a retry or failover: Text
	EventApproval = "approval" // a call waits for an approval: Approval and Text
	EventGap      = "gap"      // events MissedFrom..MissedTo were evicted before they were sent
)

// Event is one event of a run's stream (GET /v1/runs/{id}/events), the data of one
// server-sent event.
type Event struct {
	ID         uint64 `json:"id"`
	Type       string `json:"type"`
	Level      int    `json:"level,omitempty"`
	Text       string `json:"text,omitempty"`
	Status     string `json:"status,omitempty"`
	ExitCode   *int   `json:"exit_code,omitempty"`
	Approval   string `json:"approval,omitempty"`
	MissedFrom uint64 `json:"missed_from,omitempty"`
	MissedTo   uint64 `json:"missed_to,omitempty"`
}

// Approval is a call a run waits on: policy's confirm obligation, answered with
// POST /v1/approvals/{id}.
type Approval struct {
	ID      string         `json:"id"`
	RunID   string         `json:"run_id"`
	Agent   string         `json:"agent"`
	Call    string         `json:"call"`
	Args    map[string]any `json:"args,omitempty"`
	Created time.Time      `json:"created"`
	// Approved is the answer, once given.
	Approved *bool `json:"approved,omitempty"`
}

// Answer is the body of POST /v1/approvals/{id}.
type Answer struct {
	Approve bool `json:"approve"`
}

// ErrorBody is the body of every error response.
type ErrorBody struct {
	Error string `json:"error"`
}
