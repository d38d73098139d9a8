package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/limits"
	"github.com/aiosys/aios/policy"
)

// RunOptions are `aios run`'s flags and dependencies.
type RunOptions struct {
	IO *IOStreams

	File       string
	Args       []string
	Input      string
	ConfigPath string
	Timeout    time.Duration
	Memory     string
	Replicas   int
	Engine     string
	Env        []string
	Tenant     string
	Priority   int
	Trust      trustFlags
	Registry   registryFlags
	// JSON prints the live events and each agent's result as JSON lines on standard output.
	JSON bool
	// Approve pre-approves calls that policy requires confirmation for.
	Approve []string
	// LogFormat is how standard error is written: "text" lines, or "json" records (logformat.go).
	LogFormat string

	// Remote names a kernel to run the agent on instead of this host (run_remote.go).
	Remote remoteFlags
	// Workflow holds the flags of workflow files (run_workflow.go).
	Workflow workflowFlags
	// Durable journals the run (run_durable.go).
	Durable durableFlags
	flags   *pflag.FlagSet
}

// NewCmdRun builds `aios run`. runF replaces the command's work in tests; nil runs it for real.
func NewCmdRun(io *IOStreams, runF func(context.Context, *RunOptions) error) *cobra.Command {
	opts := &RunOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "run FILE.wasm|REF|WORKFLOW.toml [-- ARGS...]",
		Short: "Run an agent",
		Long: `Run an agent to completion: a module or bundle file, or a hub reference
(HOST/REPOSITORY[:TAG]), which is pulled into the local cache and verified first.
A bundle's signature is checked against the trusted keys, and its manifest's limits
apply within the host's.

The agent's log and the LLM tokens it streams are shown live on standard error, each
line prefixed (info:, llm:, ...) and its control characters escaped; its output goes
to standard output (at a terminal with its control characters escaped too; into a
pipe or file byte for byte). With --json, standard output carries JSON lines instead: every
event exactly as the agent produced it, then one "result" object per agent. With no
LLM cores configured, the built-in echo core answers (deterministic replies, no
model), and aios says so.

A limit flag left at 0 sets nothing: the bundle's manifest, then aios.toml's [limits],
then the defaults (10m, 256MiB) decide. Negative values are refused.

Exit status: the agent's own exit code (0 when it returns normally); otherwise
64 usage, 65 module refused, 66 file not found, 69 hub unreachable, 70 kernel error
or start refused, 71 agent trapped, 72 limit exceeded, 77 hub credentials refused,
78 bad configuration, 130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM. An agent
may exit 64 or more on its own: the summary line says which it was ("exited 72 (the
agent's own exit code)" or "stopped by the host, exit 72: limit exceeded: wall_time
(10s)"), as does --json's result ("cause": "agent", "limit" with "limit":
"wall_time", "trap", "start", or "interrupted" with "signal": "SIGINT").

Ctrl-C or SIGTERM stops the agents (a call or sleep in progress ends at once), prints
their summaries and closes the data directory cleanly; a second one quits at once.
The data directory stays consistent either way.

With --kernel URL (or $AIOS_KERNEL) the agent runs on a kernel served by 'aios kernel
serve' instead: the file is uploaded, its events and output are shown as above, and
the exit status is the same (the agent's own code, 70 for a start denied, 71 a trap,
72 a limit; 77 a token refused, 69 the kernel unreachable). Ctrl-C cancels the
remote run and exits 130. --timeout and --memory ask the kernel for those limits;
--replicas, --config, --engine, --tenant, --approve, --json and the trust flags are
refused: the kernel's configuration decides, and the token (--token, $AIOS_TOKEN)
names the tenant.

A file ending in .toml is a workflow: a graph of agent steps run on one kernel, with
live progress per step, a final table, --dry-run to print the plan and --yes to approve
steps that ask for confirmation (docs/WORKFLOWS.md).`,
		Example: `  aios run hello.wasm --input "Why is the sky blue?"
  aios run hello.wasm --input @question.txt --timeout 30s --memory 64MiB
  aios run fanout.wasm --replicas 4 --config aios.toml
  aios run localhost:5000/agents/hello:1.0.0 --trust-key alice.pub
  aios run agent.wasm -- --verbose      # arguments after -- reach the agent's os.Args
  aios run pipeline.toml --yes          # a workflow (docs/WORKFLOWS.md)
  aios run --durable --restart on-failure:5 agent.wasm   # journaled; restarted when it fails (docs/DURABLE.md)
  aios run --kernel http://127.0.0.1:7420 --token "$TOKEN" hello.wasm --input hi   # on a served kernel`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File, opts.Args, opts.flags = args[0], args[1:], cmd.Flags()
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Input, "input", "i", "", "the agent's input: TEXT, @FILE, or - for standard input")
	f.StringVarP(&opts.ConfigPath, "config", "c", "", "configuration file (default: $AIOS_CONFIG, else $XDG_CONFIG_HOME/aios/aios.toml if it exists)")
	f.DurationVar(&opts.Timeout, "timeout", 0, "wall-time limit for each agent; 0 leaves it to the manifest, then config, else 10m")
	f.StringVar(&opts.Memory, "memory", "", "linear-memory limit for each agent, e.g. 64MiB; 0 leaves it to the manifest, then config, else 256MiB")
	f.IntVarP(&opts.Replicas, "replicas", "n", 1, "run N instances of the agent at once (1 to 10000)")
	f.StringVar(&opts.Engine, "engine", "wazero", "WebAssembly engine: wazero, or wasmtime in builds with -tags wasmtime")
	f.StringArrayVarP(&opts.Env, "env", "e", nil, "set an environment variable for the agent (KEY=VALUE; repeatable)")
	f.StringVar(&opts.Tenant, "tenant", "", "the tenant the agent runs for: its quotas and fair share (default: none)")
	f.IntVar(&opts.Priority, "priority", 0, "scheduling priority under the priority scheduler; higher runs first, negative after the default 0")
	f.BoolVar(&opts.JSON, "json", false, "print events and each agent's result as JSON lines on standard output")
	f.StringArrayVar(&opts.Approve, "approve", nil, "pre-approve CALL (or AGENT:CALL) where policy requires confirmation (repeatable)")
	f.StringVar(&opts.LogFormat, "log-format", defaultLogFormat(), "standard error as text lines or as json records, one a line (default $"+EnvLogFormat+", else text)")
	opts.Trust.registerKeys(f)
	opts.Trust.registerRequire(f)
	opts.Trust.registerCache(f)
	opts.Registry.register(f)
	opts.Remote.register(f)
	opts.Workflow.register(f)
	opts.Durable.register(f)
	return cmd
}

func runRun(ctx context.Context, o *RunOptions) (err error) {
	if o.LogFormat == logJSON {
		lg := newRunLog(o.IO.ErrOut, o.Tenant)
		o.IO = lg.streams(o.IO)
		restore := lg.asDefault()
		defer func() { restore(); lg.flush(); err = lg.failed(err) }()
	}
	if err := o.Durable.check(o.File); err != nil {
		return err
	}
	if isWorkflowFile(o.File) {
		return runWorkflow(ctx, o)
	}
	if err := o.Workflow.agentOnly(); err != nil {
		return err
	}
	if o.Remote.url() != "" {
		if err := o.checkRemote(o.flags); err != nil {
			return err
		}
		return runRemote(ctx, o)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	show := o.eventSink()
	// Watched from the start, so that Ctrl-C also stops a pull or a compile; the deferred
	// stop runs last, after the System is closed, so a signal while closing is handled too.
	ctx, intr := watchInterrupts(ctx, o.IO.ErrOut, show.notice, o.Replicas)
	defer intr.stop()
	var jsonOut *jsonPrinter
	if o.JSON {
		jsonOut = newJSONPrinter(o.IO.Out)
		defer func() { jsonOut.unstarted(err) }()
	}
	defer func() { err = intr.exit(err) }()
	input, flagLim, cfg, err := o.localSetup()
	if err != nil {
		return err
	}
	trust, cacheDir := o.Trust.config(cfg)
	loaded, err := loadAgentWith(ctx, o.IO, o.File, trust, cacheDir, &o.Registry)
	if err != nil {
		return o.Trust.hint(err)
	}
	lim, err := agentLimits(o.IO, loaded, flagLim, cfg.Limits)
	if err != nil {
		return err
	}

	sys, err := aios.New(ctx, cfg, aios.WithEngine(o.Engine))
	if err != nil {
		return exitWith(ExitConfig, err)
	}
	defer sys.Close(context.Background())
	if err := o.Durable.open(cfg); err != nil {
		return err
	}
	defer o.Durable.close()
	if err := checkCores(ctx, o.IO, sys); err != nil {
		return err
	}

	// One wall-time deadline covers loading (validation and compilation) and running, so
	// --timeout also bounds a module that is slow to compile.
	wall := lim.Or(limits.Defaults()).WallTime
	ctx, cancelWall := context.WithTimeoutCause(ctx, wall, &limits.ExceededError{Limit: "wall_time", Value: wall.String()})
	defer cancelWall()
	agent, err := sys.Load(ctx, loaded.Name, loaded.Wasm)
	if err != nil {
		var exceeded *limits.ExceededError
		switch {
		case aios.IsRefused(err):
			return exitWith(ExitRefused, fmt.Errorf("%s: %w", o.File, err))
		case errors.As(err, &exceeded):
			return exitWith(ExitLimit, fmt.Errorf("%s: %w", o.File, err))
		}
		return exitWith(ExitKernel, err)
	}
	defer agent.Close(context.Background())
	switch {
	case len(cfg.Cores) == 0:
		fmt.Fprintln(o.IO.ErrOut, "aios: no LLM cores configured; the built-in echo core answers (deterministic replies, no model)")
	case sys.EchoOnly():
		fmt.Fprintln(o.IO.ErrOut, "aios: every configured core is an echo core (deterministic replies, no model)")
	}
	for _, why := range sys.ToolsUnavailable() {
		fmt.Fprintf(o.IO.ErrOut, "aios: warning: tool unavailable: %s\n", safeText(why))
	}

	events := show.event
	if jsonOut != nil {
		events = jsonOut.event
	}
	identity, confirm := loaded.identity(o.Tenant), newConfirmer(o.IO)
	results := make([]*aios.Result, o.Replicas)
	errs := make([]error, o.Replicas)
	var wg sync.WaitGroup
	for i := range o.Replicas {
		wg.Go(func() {
			results[i], errs[i] = o.Durable.run(ctx, o.IO, agent, loaded.Source, aios.RunOptions{
				Input: input, Args: o.Args, Env: o.Env, Limits: lim, Events: events,
				Tenant: o.Tenant, Priority: o.Priority,
				Identity: identity, Confirm: confirm, Approve: o.Approve,
			})
			intr.account(results[i])
		})
	}
	wg.Wait()
	show.flush()
	sortByPID(results, errs)
	return report(o.IO, results, errs, jsonOut)
}

// report prints each run's output and summary, or with jsonOut its result object, and picks
// the command's exit code: the first failing replica's.
func report(io *IOStreams, results []*aios.Result, errs []error, jsonOut *jsonPrinter) error {
	code := ExitOK
	var first error
	for i, r := range results {
		if errs[i] != nil {
			if code == ExitOK {
				code, first = ExitKernel, errs[i]
			}
			if jsonOut != nil {
				jsonOut.write(jsonResult{Event: "result", ExitCode: ExitKernel, Cause: causeStart, Error: errs[i].Error()})
			}
			continue
		}
		if c := endingOf(r).Code; c != ExitOK && code == ExitOK {
			code = c
		}
		if jsonOut != nil {
			jsonOut.write(newJSONResult(r))
			continue
		}
		if len(results) > 1 {
			fmt.Fprintf(io.Out, "== %s[%d]\n", safeText(r.Name), r.PID)
		}
		out := r.Output
		if IsTerminal(io.Out) {
			// At a terminal the output is shown, not kept: the agent must not drive the
			// terminal with it. Into a pipe or file it goes byte for byte.
			out = []byte(safeLines(string(out)))
		}
		io.Out.Write(out)
		if len(r.Output) > 0 && r.Output[len(r.Output)-1] != '\n' {
			fmt.Fprintln(io.Out)
		}
		printSummary(io.ErrOut, r)
	}
	if jsonOut != nil && jsonOut.err != nil && code == ExitOK {
		return exitWith(ExitKernel, fmt.Errorf("write the JSON results: %w", jsonOut.err))
	}
	if code == ExitOK {
		return nil
	}
	return exitWith(code, first)
}

func summary(r *aios.Result) string {
	var b strings.Builder
	end := endingOf(r)
	fmt.Fprintf(&b, "aios: %s[%d] %s", safeText(r.Name), r.PID, end.describe())
	if r.MemoryLimitReached && (end.Limit == nil || end.Limit.Limit != "memory") {
		// The agent saw memory.grow fail and went on; say so, or nobody would know.
		b.WriteString(" (memory limit reached: memory.grow returned -1)")
	}
	u := r.Usage
	calls := plural(u.Calls, "system call")
	if u.Denied > 0 {
		calls += fmt.Sprintf(" (%d denied)", u.Denied)
	}
	fmt.Fprintf(&b, " after %s; %s, %s, %s in, %d out", roundDuration(r.Duration),
		calls, plural(u.Generations, "generation"), plural(u.InputTokens, "token"), u.OutputTokens)
	if u.Cost > 0 {
		fmt.Fprintf(&b, ", cost %s", u.Cost)
	}
	if u.BudgetRefusals > 0 {
		fmt.Fprintf(&b, "; budget reached: %s refused by the %s", plural(u.BudgetRefusals, "generation"), safeText(u.Exhausted))
	}
	names := slices.Sorted(maps.Keys(u.Cores))
	if len(names) > 1 || (len(names) == 1 && u.Cores[names[0]].QueueWait >= time.Millisecond) {
		for _, name := range names {
			c := u.Cores[name]
			fmt.Fprintf(&b, "\n  core %s: %s, %s in, %d out, cost %s, queue wait %s, %s",
				name, plural(c.Generations, "generation"), plural(c.InputTokens, "token"), c.OutputTokens, c.Cost,
				roundDuration(c.QueueWait), plural(c.Retries, "retry"))
		}
	} else if len(names) == 1 {
		fmt.Fprintf(&b, " on core %s", names[0])
	}
	b.WriteString(childLines(r.Children))
	return b.String()
}

func plural(n int, noun string) string {
	switch {
	case n == 1:
		return "1 " + noun
	case strings.HasSuffix(noun, "y"):
		return fmt.Sprintf("%d %sies", n, noun[:len(noun)-1])
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// roundDuration keeps three significant digits or so: 12ms, 1.25s, 340µs.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	default:
		return d.Round(time.Microsecond)
	}
}

func readInput(spec string, stdin io.Reader) ([]byte, error) {
	switch {
	case spec == "-":
		b, err := io.ReadAll(io.LimitReader(stdin, 64<<20))
		if err != nil {
			return nil, fmt.Errorf("read input from standard input: %w", err)
		}
		return b, nil
	case strings.HasPrefix(spec, "@"):
		b, err := os.ReadFile(spec[1:])
		if err != nil {
			return nil, fmt.Errorf("read input: %w", err)
		}
		return b, nil
	default:
		return []byte(spec), nil
	}
}

// sortByPID orders the replicas' results by PID (their start order), keeping errs aligned.
func sortByPID(results []*aios.Result, errs []error) {
	idx := make([]int, len(results))
	for i := range idx {
		idx[i] = i
	}
	pid := func(i int) kernel.PID {
		if results[i] == nil {
			return math.MaxUint64
		}
		return results[i].PID
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(pid(a), pid(b)) })
	rs, es := slices.Clone(results), slices.Clone(errs)
	for i, j := range idx {
		results[i], errs[i] = rs[j], es[j]
	}
}

// identity is who the agent is for policy: its manifest's name, version and capabilities, its
// verified signer and its digest. A plain module declares kernel.UnpackagedCapabilities.
func (a *loadedAgent) identity(tenant string) policy.Agent {
	id := policy.Agent{Name: a.Name, Digest: a.Digest, Publisher: a.Publisher.KeyID, Tenant: tenant,
		Capabilities: kernel.UnpackagedCapabilities()}
	if m := a.Manifest; m != nil {
		id.Version = m.Version
		id.Capabilities = policy.Capabilities{Models: m.Capabilities.Models, Classes: m.Capabilities.Classes,
			Tools: m.Capabilities.Tools, Memory: m.Capabilities.Memory, Calls: m.Capabilities.Calls}
	}
	return id
}

// localSetup reads what a local run (an agent or a workflow) needs before anything starts: the
// input (stdin only when no hub password is read from it), the limits the flags set, and the
// configuration.
func (o *RunOptions) localSetup() (input []byte, flagLim limits.Limits, cfg config.Config, err error) {
	if err = o.Registry.stdinFree(o.Input); err != nil {
		return
	}
	if input, err = readInput(o.Input, o.IO.In); err != nil {
		return nil, flagLim, cfg, exitWith(ExitNoInput, err)
	}
	if flagLim, err = o.flagLimits(); err != nil {
		return
	}
	cfg, err = loadConfigFrom(o.ConfigPath)
	return
}

// flagLimits are the limits set on the command line, which win over the manifest and config.
func (o *RunOptions) flagLimits() (limits.Limits, error) {
	lim := limits.Limits{WallTime: o.Timeout}
	if o.Memory != "" {
		var n config.Size
		if err := n.UnmarshalText([]byte(o.Memory)); err != nil {
			return lim, exitWith(ExitUsage, fmt.Errorf("--memory: %w", err))
		}
		if n != 0 && n < wasmPage {
			return lim, exitWith(ExitUsage, fmt.Errorf("--memory %s is less than one WebAssembly page (64KiB); 0 leaves the limit to the manifest and config", o.Memory))
		}
		lim.Memory = uint64(n)
	}
	for _, kv := range o.Env {
		if !strings.Contains(kv, "=") {
			return lim, exitWith(ExitUsage, fmt.Errorf("--env %q: want KEY=VALUE", kv))
		}
	}
	return lim, nil
}

// agentLimits combines the limits for one agent: command-line flags win; then the bundle's
// manifest, which may lower the host's limits (config, else defaults) but not raise them;
// then the host's limits.
func agentLimits(io *IOStreams, a *loadedAgent, flags, host limits.Limits) (limits.Limits, error) {
	host = host.Or(limits.Defaults())
	if a.Manifest == nil {
		return flags.Or(host), nil
	}
	asked, err := a.Manifest.Limits.Resolve()
	if err != nil {
		return limits.Limits{}, exitWith(ExitRefused, fmt.Errorf("%s: manifest limits: %w", a.Source, err))
	}
	within, over := asked.Within(host)
	if len(over) > 0 {
		fmt.Fprintf(io.ErrOut, "aios: %s asks for more than this host allows (%s); the host's limits apply\n",
			a.Name, strings.Join(over, ", "))
	}
	return flags.Or(within), nil
}
