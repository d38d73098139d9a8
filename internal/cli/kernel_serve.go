package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/server"
)

// JournalModulesDir is the directory of the data directory where a durable kernel keeps the
// modules of its runs, by digest, to resume them after a restart.
const JournalModulesDir = "journal-modules"

// EnvTokensFile names the tokens file `aios kernel serve` reads when --tokens-file is not given.
const EnvTokensFile = "AIOS_TOKENS_FILE"

// NewCmdKernel builds `aios kernel`: a long-running kernel and its tokens.
func NewCmdKernel(io *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kernel <command>",
		Short: "Serve a long-running kernel over HTTP",
	}
	cmd.AddCommand(NewCmdKernelServe(io, nil), NewCmdKernelToken(io, nil))
	return cmd
}

// KernelServeOptions are `aios kernel serve`'s flags and dependencies.
type KernelServeOptions struct {
	IO              *IOStreams
	Listen          string
	ConfigPath      string
	TokensFile      string
	TLSCert         string
	TLSKey          string
	Grace           time.Duration
	MaxBody         string
	ModulesDir      string
	KeepRuns        int
	KeepBytes       string
	MaxActive       int
	EventBuffer     int
	ApprovalTimeout time.Duration
	Engine          string
	LogFormat       string
	Durable         bool
	Trust           trustFlags
	// ready, when set, is told the address the server listens on (tests listen on port 0).
	ready func(net.Addr)
	// listenSet says --listen was given, so that [server] listen does not replace it.
	listenSet bool
}

// NewCmdKernelServe builds `aios kernel serve`. runF replaces the command's work in tests; nil
// runs it for real.
func NewCmdKernelServe(io *IOStreams, runF func(context.Context, *KernelServeOptions) error) *cobra.Command {
	opts := &KernelServeOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "serve [--listen HOST:PORT] [--config FILE]",
		Short: "Serve the kernel's HTTP API",
		Long: `Serve one kernel over a JSON HTTP API (docs/openapi.yaml): agents are submitted as
modules or bundles (POST /v1/runs), watched through server-sent events, canceled,
and the calls policy wants confirmed are answered remotely (/v1/approvals).

Requests carry a bearer token; the tokens file (--tokens-file, else $AIOS_TOKENS_FILE,
else [server] tokens_file in aios.toml) maps the SHA-256 digests of tokens to tenants,
one TENANT:HEX a line, as
'aios kernel token' prints. A tenant sees only its own runs, approvals and usage.
Tokens are required unless the listen address is loopback; there, without a tokens
file, every request is the tenant "default". With --tls-cert and --tls-key the API
is served over HTTPS.

Bundles are verified against [trust] and the --trust-key flags as in 'aios run'.
With --durable (or durable = true in [server]) every run is journaled in the data
directory under its run id; a kernel started again after a crash or SIGKILL resumes the
runs that were still running, under their ids, queued for --max-active slots, replaying
their journals so that nothing journaled is sent again (docs/DURABLE.md).

SIGINT or SIGTERM stops admitting runs (503), lets running agents finish for --grace,
cancels the rest, and closes the data directory; a second signal quits at once.`,
		Example: `  aios kernel serve
  aios kernel token --tenant alice >> tokens   # prints the token on stderr
  aios kernel serve --listen 0.0.0.0:7420 --tokens-file tokens --tls-cert k.crt --tls-key k.key
  aios kernel serve --durable                  # journal runs; resume them after a crash
  curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:7420/v1/runs`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.listenSet = cmd.Flags().Changed("listen")
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runKernelServe(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Listen, "listen", "127.0.0.1:7420", "the address to listen on (else [server] listen in aios.toml)")
	f.StringVarP(&opts.ConfigPath, "config", "c", "", "configuration file (default: $AIOS_CONFIG, else $XDG_CONFIG_HOME/aios/aios.toml if it exists)")
	f.StringVar(&opts.TokensFile, "tokens-file", "", "file of TENANT:SHA256-HEX lines mapping bearer tokens to tenants (default: $"+EnvTokensFile+")")
	f.StringVar(&opts.TLSCert, "tls-cert", "", "TLS certificate PEM file (with --tls-key: serve HTTPS)")
	f.StringVar(&opts.TLSKey, "tls-key", "", "TLS private key PEM file")
	f.DurationVar(&opts.Grace, "grace", 30*time.Second, "on SIGINT/SIGTERM, how long running agents may go on before they are canceled")
	f.StringVar(&opts.MaxBody, "max-body", "", "the largest request body accepted, e.g. 64MiB; larger ones get 413 (default "+config.Size(server.DefaultMaxBody).String()+")")
	f.StringVar(&opts.ModulesDir, "modules-dir", "", "a directory whose module and bundle files POST /v1/runs may name by path (default: [server] modules_dir, else none)")
	f.IntVar(&opts.KeepRuns, "keep-runs", server.DefaultKeepRuns, "how many finished runs are kept for GET; the oldest are forgotten first")
	f.StringVar(&opts.KeepBytes, "keep-bytes", "", "how much output and event text finished runs may hold together, e.g. 256MiB (default "+config.Size(server.DefaultKeepBytes).String()+")")
	f.IntVar(&opts.MaxActive, "max-active", server.DefaultMaxActive, "how many runs may be active at once; more are refused with 429")
	f.IntVar(&opts.EventBuffer, "event-buffer", server.DefaultEventBuffer, "how many events of each run are kept for streams that start or resume late")
	f.DurationVar(&opts.ApprovalTimeout, "approval-timeout", server.DefaultApprovalTimeout, "how long a call waits for an approval before it is denied")
	f.StringVar(&opts.Engine, "engine", "wazero", "WebAssembly engine: wazero, or wasmtime in builds with -tags wasmtime")
	f.BoolVar(&opts.Durable, "durable", false, "journal every run in the data directory and, at start, resume the runs a crash left running (else [server] durable; docs/DURABLE.md)")
	f.StringVar(&opts.LogFormat, "log-format", defaultLogFormat(), "request and run log on standard error: text or json (default $"+EnvLogFormat+", else text)")
	opts.Trust.registerKeys(f)
	opts.Trust.registerRequire(f)
	return cmd
}

// applyConfig takes what the flags did not say from the configuration's [server] table.
func (o *KernelServeOptions) applyConfig(c config.Serve) {
	if !o.listenSet && c.Listen != "" {
		o.Listen = c.Listen
	}
	if o.TokensFile == "" && os.Getenv(EnvTokensFile) == "" {
		o.TokensFile = c.TokensFile
	}
	if o.ModulesDir == "" {
		o.ModulesDir = c.ModulesDir
	}
	o.Durable = o.Durable || c.Durable
}

// check refuses flag values that cannot work, before anything starts.
func (o *KernelServeOptions) check() (server.Options, error) {
	var so server.Options
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return so, exitWith(ExitUsage, errors.New("--tls-cert and --tls-key go together"))
	}
	if o.Grace < 0 || o.ApprovalTimeout < 0 || o.KeepRuns < 0 || o.EventBuffer < 0 || o.MaxActive < 0 {
		return so, exitWith(ExitUsage, errors.New("--grace, --approval-timeout, --keep-runs, --max-active and --event-buffer may not be negative"))
	}
	if err := checkLogFormat(o.LogFormat); err != nil {
		return so, err
	}
	if o.MaxBody != "" {
		var n config.Size
		if err := n.UnmarshalText([]byte(o.MaxBody)); err != nil {
			return so, exitWith(ExitUsage, fmt.Errorf("--max-body: %w", err))
		}
		if n > math.MaxInt64 {
			return so, exitWith(ExitUsage, fmt.Errorf("--max-body %s is too large", o.MaxBody))
		}
		so.MaxBody = int64(n)
	}
	if o.KeepBytes != "" {
		var n config.Size
		if err := n.UnmarshalText([]byte(o.KeepBytes)); err != nil {
			return so, exitWith(ExitUsage, fmt.Errorf("--keep-bytes: %w", err))
		}
		if n > math.MaxInt32 {
			return so, exitWith(ExitUsage, fmt.Errorf("--keep-bytes %s is too large (at most 2GiB)", o.KeepBytes))
		}
		so.KeepBytes = int(n)
	}
	if o.ModulesDir != "" {
		if info, err := os.Stat(o.ModulesDir); err != nil || !info.IsDir() {
			return so, exitWith(ExitConfig, fmt.Errorf("--modules-dir %s is not a directory", o.ModulesDir))
		}
	}
	so.ModulesDir = o.ModulesDir
	so.KeepRuns, so.MaxActive, so.EventBuffer, so.ApprovalTimeout = o.KeepRuns, o.MaxActive, o.EventBuffer, o.ApprovalTimeout
	path := o.TokensFile
	if path == "" {
		path = os.Getenv(EnvTokensFile)
	}
	if path != "" {
		t, err := server.LoadTokens(path)
		if err != nil {
			return so, exitWith(ExitConfig, err)
		}
		so.Tokens = t
	}
	if so.Tokens == nil && !server.IsLoopback(o.Listen) {
		return so, exitWith(ExitUsage, fmt.Errorf("--listen %s is not a loopback address, so bearer tokens are required: create one with `aios kernel token --tenant NAME`, add the line it prints to a file and pass --tokens-file FILE", o.Listen))
	}
	if so.Tokens != nil && so.Tokens.Len() == 0 {
		return so, exitWith(ExitConfig, fmt.Errorf("tokens file %s holds no tokens: nobody could use the server", path))
	}
	so.Logger = slog.New(newLogHandler(o.IO.ErrOut, o.LogFormat))
	return so, nil
}

func runKernelServe(ctx context.Context, o *KernelServeOptions) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	cfg, err := loadConfigFrom(o.ConfigPath)
	if err != nil {
		return err
	}
	o.applyConfig(cfg.Server)
	so, err := o.check()
	if err != nil {
		return err
	}
	if o.LogFormat == logJSON {
		// aios's own lines (serving, stopping, errors) become records of the same log.
		lg := logOver(so.Logger, "")
		o.IO = lg.streams(o.IO)
		restore := lg.asDefault()
		defer func() { restore(); lg.flush(); err = lg.failed(err) }()
	}
	var cacheDir string
	so.Trust, cacheDir = o.Trust.config(cfg)
	if _, err := newTrust(so.Trust); err != nil {
		return err
	}
	so.Pull = hubPuller(so.Trust, cacheDir)
	so.Limits = cfg.Limits
	sigCtx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return exitWith(ExitUnavailable, fmt.Errorf("listen: %w", err))
	}
	if o.Durable {
		store, err := openJournals(cfg)
		if err != nil {
			ln.Close()
			return err
		}
		defer store.Close()
		so.Journal, so.JournalModules = store, filepath.Join(cfg.DataDir, JournalModulesDir)
	}
	so.Metrics = server.NewMetrics()
	sys, err := aios.New(ctx, cfg, aios.WithEngine(o.Engine), aios.WithDecisionObserver(so.Metrics.ObserveDecision))
	if err != nil {
		ln.Close()
		return exitWith(ExitConfig, err)
	}
	defer sys.Close(context.Background())
	srv := server.New(sys, so)
	if n, err := srv.ResumeInterrupted(); err != nil {
		ln.Close()
		return exitWith(ExitKernel, err)
	} else if n > 0 {
		fmt.Fprintf(o.IO.ErrOut, "aios kernel: resuming %d interrupted durable runs\n", n)
	}
	// A request's body must arrive within ReadTimeout (an upload trickled byte by byte would
	// hold its connection forever) and an idle keep-alive connection closes after IdleTimeout.
	// No WriteTimeout: event streams are long responses; the server bounds each write itself.
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 30 * time.Second,
		ReadTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(so.Logger.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	scheme := "http"
	go func() {
		if o.TLSCert != "" {
			served <- hs.ServeTLS(ln, o.TLSCert, o.TLSKey)
			return
		}
		served <- hs.Serve(ln)
	}()
	if o.TLSCert != "" {
		scheme = "https"
	}
	auth := "tokens from " + o.TokensFile
	if so.Tokens == nil {
		auth = `no tokens: every request is the tenant "default"`
	} else if o.TokensFile == "" {
		auth = "tokens from $" + EnvTokensFile
	}
	fmt.Fprintf(o.IO.ErrOut, "aios kernel: serving %s://%s (%s)\n", scheme, ln.Addr(), auth)
	if o.ready != nil {
		o.ready(ln.Addr())
	}
	select {
	case err := <-served:
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = srv.Shutdown(ctx)
		return exitWith(ExitUnavailable, err)
	case <-sigCtx.Done():
	}
	stop()      // a second signal ends the process at once
	srv.Drain() // before saying so: whoever reads the line may count on the 503s
	fmt.Fprintf(o.IO.ErrOut, "aios kernel: stopping; admitting no new runs, letting running agents finish for up to %s\n", o.Grace)
	graceCtx, cancelGrace := context.WithTimeout(context.Background(), o.Grace)
	defer cancelGrace()
	if err := srv.Shutdown(graceCtx); err != nil {
		fmt.Fprintln(o.IO.ErrOut, "aios kernel: the grace period ended; the agents still running were canceled")
	}
	httpCtx, cancelHTTP := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelHTTP()
	if err := hs.Shutdown(httpCtx); err != nil {
		_ = hs.Close()
	}
	fmt.Fprintln(o.IO.ErrOut, "aios kernel: stopped")
	return nil
}
