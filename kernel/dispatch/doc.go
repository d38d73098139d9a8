// Package dispatch sends the kernel's generations to LLM cores. Its Dispatcher is itself an
// llm.Core: it charges quotas at admission, queues every request under a scheduling policy
// (kernel/sched), places it on a core that can serve the model and has capacity and rate-limit
// room, retries failures with backoff, cools down failing cores and fails over to others.
// It is also the kernel's context manager: under a policy with a time slice it preempts a
// running generation at its slice end and resumes it later as a continuation.
//
// # Preemption
//
// When the queue's Slice is positive, a piece of generation may hold its core for one slice.
// The slice is wall time counted from the piece's first streamed chunk: time to the first
// token is not counted, so every slice makes progress, and a core that does not stream is
// never preempted. Its length is the policy's (sched.Options.Slice: round-robin, priority).
//
// Once a piece's slice has ended it is preempted for a waiting job when all of these hold:
// the job can run on the piece's core, only the core's capacity keeps it from starting there
// (no rate limit or cooldown would hold it back anyway), and the policy says the running job
// yields to it (sched.Queue.Yields: under round-robin always; under priority when the waiting
// job's effective priority is higher). Nothing waiting means nothing is preempted: a lone
// generation keeps its core past its slice. Among several pieces that may be preempted, the
// one of lowest priority goes first, then the one whose slice ended first.
//
// A preempted piece's backend request is cancelled and its core place given to the waiting
// job at once. Its text so far is kept; the generation is pushed to the queue again (as a
// new arrival) with a continuation request that carries that text as an assistant message,
// so that on a deterministic backend the final text equals an uninterrupted generation.
// A generation preempted any number of times still finishes: each piece streams at least one
// chunk, and the remaining max_tokens shrink with every one.
//
// Dispatcher.Generate says how a generation run in pieces is charged.
package dispatch
