package workflow

import "time"

// Bounds on what a workflow file may ask for. A file past them is refused before anything runs,
// so that a mistyped or hostile file cannot make aios hold a huge graph or retry for ever.
const (
	// MaxSteps is the most steps a workflow may have.
	MaxSteps = 1000
	// MaxFileSize is the largest workflow file Load reads, in bytes.
	MaxFileSize = 4 << 20
	// MaxRetries is the most retries a step may ask for (so 1+MaxRetries attempts).
	MaxRetries = 10
	// MaxTimeout is the longest timeout a step may ask for.
	MaxTimeout = 24 * time.Hour
	// MaxIDLength is the longest step id.
	MaxIDLength = 64
)

// Workflow is a checked workflow: its steps in file order, every reference between them known
// to exist and the graph they form known to be acyclic.
type Workflow struct {
	// Name is the workflow's name from the file, or empty.
	Name string
	// Dir is the directory agent paths are relative to: the workflow file's.
	Dir   string
	Steps []*Step

	byID map[string]*Step
}

// Step is one agent run of a workflow.
type Step struct {
	// ID names the step: 1 to MaxIDLength characters of [A-Za-z0-9_-].
	ID string
	// Agent is the agent as the file names it: a module or bundle path, or a hub reference.
	Agent string
	// AgentPath is Agent resolved against the workflow's directory when it names a file; empty
	// for a hub reference.
	AgentPath string
	// Input is the step's literal input, when HasInput is set.
	Input    []byte
	HasInput bool
	// Inputs are the steps whose outputs, joined into one JSON object keyed by step id, are
	// the step's input. Each is also a need.
	Inputs []string
	// Needs are the steps that must have ended well before this one starts.
	Needs []string
	// When, if not nil, is a condition on other steps' exit codes; the step is skipped when it
	// is false. The steps it names must have ended (well or not) before it is evaluated.
	When *Condition
	// Retries is how many times a failed attempt is retried (0 to MaxRetries).
	Retries int
	// Timeout is the wall-time limit of each attempt; 0 leaves it to the runner.
	Timeout time.Duration
	// Memory is the linear-memory limit of each attempt in bytes; 0 leaves it to the runner.
	Memory uint64
	// Fallback names the step that runs in place of this one when every attempt has failed.
	Fallback string
	// Confirm asks the operator before the step starts.
	Confirm bool
	// Env and Args reach the agent's environment and arguments.
	Env  []string
	Args []string
	// Priority orders the step's generations under the priority scheduler.
	Priority int

	fallbackFor string // the step this one stands in for; empty for an ordinary step
	after       []string
}

// Step returns the step with the given id, or nil.
func (w *Workflow) Step(id string) *Step { return w.byID[id] }

// FallbackFor names the step this one runs in place of, or is empty when the step is an
// ordinary one. A fallback step runs only when that step has failed.
func (s *Step) FallbackFor() string { return s.fallbackFor }

// After lists every step that must end before this one is considered: its needs, its inputs
// and the steps its condition names, each once, in that order.
func (s *Step) After() []string { return s.after }
