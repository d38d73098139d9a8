// Package workflow reads, checks and runs workflows: directed acyclic graphs of agent steps
// described in a TOML file (docs/WORKFLOWS.md).
//
// Parse turns a file into a Workflow and refuses, before anything runs, every problem it can
// find, each naming the step and the field at fault. Run executes a Workflow against a Runner:
// a step starts as soon as the steps it needs have ended well, independent steps run side by
// side, the outputs of the steps a step takes as inputs become its input, and failures are
// retried, then handed to a fallback step. The package knows nothing of WebAssembly or the
// kernel: the Runner runs one attempt of one step (the CLI's runs an agent on one aios.System).
package workflow
