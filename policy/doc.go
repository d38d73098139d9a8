// Package policy decides every AIOS system call with Open Policy Agent.
//
// An [Engine] evaluates the built-in default policy (package aios.system, embedded) together
// with the operator's Rego files and data against an [Input] document describing the calling
// agent, the call, its normalized arguments and the agent's usage so far. The answer is a
// [Decision]: allow or deny, a reason, and obligations the kernel enforces.
//
// The engine prepares its query once per policy load, keeps a bounded LRU cache of decisions
// keyed by a canonical hash of the input, reloads its files on request, on SIGHUP or when they
// change, and refuses a policy that does not compile while the previous one stays in force.
// Policies cannot reach the network or the host unless [Config.AllowHostAccess] is set.
//
// docs/POLICY.md specifies the input and decision documents, the default policy, how operator
// policies compose with it, and which calls are decided once per agent start.
//
// Package policy imports nothing of aios, so the kernel, the CLI and tests can all use it.
package policy
