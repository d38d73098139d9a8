// Package server is the kernel's HTTP API (docs/openapi.yaml): agents submitted as modules or
// bundles run on one aios.System, watched through server-sent events, answered when policy
// asks an operator to confirm a call, each tenant seeing only its own runs.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/journal"
	"github.com/aiosys/aios/limits"
	"github.com/aiosys/aios/packager/bundle"
	"github.com/aiosys/aios/server/console"
)

// Defaults for the zero fields of Options.
const (
	DefaultMaxBody         = 64 << 20
	DefaultKeepRuns        = 1000
	DefaultMaxActive       = 1000
	DefaultEventBuffer     = 10000
	DefaultEventBytes      = 1 << 20
	DefaultKeepBytes       = 256 << 20
	DefaultSubscriberQueue = 1024
	DefaultApprovalTimeout = 10 * time.Minute
	DefaultWriteTimeout    = 30 * time.Second
	// DefaultTenant is every request's tenant when the server has no tokens.
	DefaultTenant = "default"
)

// Options configure a Server. Zero fields take the defaults above.
type Options struct {
	// Tokens map bearer tokens to tenants; nil serves every request as DefaultTenant.
	Tokens *Tokens
	// Trust says whose bundles run, as in `aios run`.
	Trust bundle.TrustConfig
	// Limits are the host's limits: a run may ask for less, never more. Zero fields take
	// limits.Defaults.
	Limits limits.Limits
	// ModulesDir, when set, is the directory POST /v1/runs may name files in ("path"); nothing
	// outside it can be named. Empty: only uploaded modules run.
	ModulesDir string
	// Pull, when set, fetches the bundles POST /v1/runs names by hub reference ("ref"); nil
	// refuses references.
	Pull Puller
	// MaxBody is the largest request body accepted, in bytes.
	MaxBody int64
	// MaxActive is how many runs may be active at once; more are refused with 429.
	MaxActive int
	// KeepRuns is how many finished runs are kept for GET, and KeepBytes how many bytes of
	// output and event text they may hold together; past either the oldest are forgotten
	// first. Active runs hold at most EventBytes of events and their output limit each.
	KeepRuns  int
	KeepBytes int
	// EventBuffer and EventBytes bound each run's event buffer (count and text bytes); a client
	// resuming from an evicted event gets a gap event.
	EventBuffer int
	EventBytes  int
	// SubscriberQueue is how many events may wait for one stream's client; a client that falls
	// further behind is disconnected and may resume with Last-Event-ID.
	SubscriberQueue int
	// ApprovalTimeout is how long a call waits for an approval before it is denied.
	ApprovalTimeout time.Duration
	// WriteTimeout bounds each write to an event stream's client.
	WriteTimeout time.Duration
	// Logger receives one line per request and per run; nil discards.
	Logger *slog.Logger
	// Journal, when set, makes the server durable (docs/DURABLE.md): every run it starts is
	// journaled there under its run id, and ResumeInterrupted resumes the runs a crash left
	// running. JournalModules is the directory the modules of durable runs are kept in, by
	// digest, for a restarted server to load them again; required with Journal.
	Journal        *journal.Store
	JournalModules string
	// Metrics are served at GET /metrics; they belong to this Server alone. Nil: metrics of
	// its own, without system calls (those are counted only when the System was built with
	// aios.WithDecisionObserver(Metrics.ObserveDecision)).
	Metrics *Metrics
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	def(&o.KeepRuns, DefaultKeepRuns)
	def(&o.KeepBytes, DefaultKeepBytes)
	def(&o.MaxActive, DefaultMaxActive)
	def(&o.EventBuffer, DefaultEventBuffer)
	def(&o.EventBytes, DefaultEventBytes)
	def(&o.SubscriberQueue, DefaultSubscriberQueue)
	if o.ApprovalTimeout <= 0 {
		o.ApprovalTimeout = DefaultApprovalTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	o.Limits = o.Limits.Or(limits.Defaults())
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics()
	}
	return o
}

// Server serves the API over one System. It is safe for concurrent use.
type Server struct {
	sys  *aios.System
	opts Options

	runs      *runStore
	approvals *approvalStore
	usage     *usageBook
	agents    *agentCache
	scrape    http.Handler // serves opts.Metrics

	// base is the context runs live in; cancelRuns ends them all at the grace period's end.
	base       context.Context
	cancelRuns context.CancelCauseFunc
	// admit orders admissions against Drain, so that no run is added to active once Shutdown
	// waits for it.
	admit    sync.Mutex
	active   sync.WaitGroup
	running  int // active runs, under admit
	draining atomic.Bool
	// freed is told (without blocking) when an active run ends, for runs waiting for a slot.
	freed chan struct{}
	// closed is closed when Shutdown is done, ending every event stream.
	closed    chan struct{}
	closeOnce sync.Once
}

// New returns a Server running agents on sys. The caller keeps sys and closes it after
// Shutdown.
func New(sys *aios.System, opts Options) *Server {
	opts = opts.withDefaults()
	base, cancel := context.WithCancelCause(context.Background())
	s := &Server{
		sys: sys, opts: opts,
		runs:      newRunStore(opts.KeepRuns, opts.KeepBytes),
		approvals: newApprovalStore(),
		usage:     newUsageBook(),
		agents:    newAgentCache(),
		base:      base, cancelRuns: cancel,
		closed: make(chan struct{}), freed: make(chan struct{}, 1),
	}
	s.scrape = s.newScrape()
	return s
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	auth := func(pattern string, h func(http.ResponseWriter, *http.Request, string)) {
		mux.Handle(pattern, s.authenticate(h))
	}
	auth("POST /v1/runs", s.submit)
	auth("GET /v1/runs", s.listRuns)
	auth("GET /v1/runs/{id}", s.getRun)
	auth("DELETE /v1/runs/{id}", s.cancelRun)
	auth("GET /v1/runs/{id}/output", s.getOutput)
	auth("GET /v1/runs/{id}/events", s.streamEvents)
	auth("GET /v1/approvals", s.listApprovals)
	auth("POST /v1/approvals/{id}", s.answerApproval)
	auth("GET /v1/usage", s.getUsage)
	auth("GET /v1/cores", s.getCores)
	auth("GET /v1/audit", s.listAudit)
	auth("GET /metrics", s.metrics)
	// The web console's files are public; the data it shows comes from the API above.
	mux.Handle("GET /{$}", console.Handler())
	mux.Handle("GET "+console.Prefix, console.Handler())
	return s.logRequests(mux)
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz says whether the server admits new runs: not while it shuts down.
func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
