package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/kernel"
)

// Metrics are a server's Prometheus metrics (docs/openapi.yaml, GET /metrics), in a registry
// of their own, so that several servers can live in one process. Build them with NewMetrics,
// give ObserveDecision to aios.New through aios.WithDecisionObserver, and the Metrics to one
// Server through Options.Metrics.
type Metrics struct {
	reg       *prometheus.Registry
	syscalls  *prometheus.CounterVec
	decisions *prometheus.HistogramVec
	tokens    *prometheus.CounterVec
	cost      *prometheus.CounterVec
	runTime   *prometheus.HistogramVec
	requests  *prometheus.HistogramVec
}

// NewMetrics returns the metrics of a server that has not started yet.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		syscalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "aios_syscalls_total",
			Help: "System calls decided by policy, by call name and decision (allow or deny)."}, []string{"call", "decision"}),
		decisions: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "aios_policy_decision_seconds",
			Help:    "How long the policy took to decide a system call, by call name.",
			Buckets: prometheus.ExponentialBuckets(0.00005, 4, 10)}, []string{"call"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "aios_tokens_total",
			Help: "LLM tokens used by finished runs, by tenant and kind (input or output)."}, []string{"tenant", "kind"}),
		cost: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "aios_cost_usd_total",
			Help: "What finished runs' generations cost, in US dollars, by tenant."}, []string{"tenant"}),
		runTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "aios_run_duration_seconds",
			Help:    "How long finished runs ran, by final state.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10)}, []string{"state"}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "aios_http_request_duration_seconds",
			Help:    "HTTP request latency, by route (the API's pattern, or unmatched) and status code.",
			Buckets: prometheus.DefBuckets}, []string{"route", "status"}),
	}
	m.reg.MustRegister(m.syscalls, m.decisions, m.tokens, m.cost, m.runTime, m.requests)
	return m
}

// ObserveDecision counts one decided system call; it is a kernel.DecisionObserver and never
// blocks.
func (m *Metrics) ObserveDecision(call string, allow bool, elapsed time.Duration) {
	decision := "deny"
	if allow {
		decision = "allow"
	}
	m.syscalls.WithLabelValues(call, decision).Inc()
	m.decisions.WithLabelValues(call).Observe(elapsed.Seconds())
}

// runEnded counts a finished run's usage and duration.
func (m *Metrics) runEnded(tenant, state string, u kernel.Usage, ran time.Duration) {
	m.tokens.WithLabelValues(tenant, "input").Add(float64(max(u.InputTokens, 0)))
	m.tokens.WithLabelValues(tenant, "output").Add(float64(max(u.OutputTokens, 0)))
	m.cost.WithLabelValues(tenant).Add(float64(max(u.Cost, 0)) / 1e6) // a quota.Cost is in millionths
	m.runTime.WithLabelValues(state).Observe(ran.Seconds())
}

// request observes one HTTP request; pattern is the route the mux matched ("" when none).
func (m *Metrics) request(pattern string, status int, elapsed time.Duration) {
	if pattern == "" {
		pattern = "unmatched"
	}
	m.requests.WithLabelValues(pattern, strconv.Itoa(status)).Observe(elapsed.Seconds())
}

// metrics is GET /metrics: every tenant's metrics, in Prometheus's text format.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request, _ string) {
	s.scrape.ServeHTTP(w, r)
}

// newScrape registers the metrics read from s at each scrape (runs by state, the
// dispatcher's queue and each core's load) and returns the handler serving the registry.
func (s *Server) newScrape() http.Handler {
	for _, c := range []prometheus.Collector{loadCollector{s}, coresCollector{s}} {
		if err := s.opts.Metrics.reg.Register(c); err != nil {
			s.opts.Logger.Warn("metrics: runs and generations are not exported; the Metrics belong to another Server", "error", err)
			break
		}
	}
	return promhttp.HandlerFor(s.opts.Metrics.reg, promhttp.HandlerOpts{})
}

var (
	runsDesc = prometheus.NewDesc("aios_runs",
		"Runs the server holds, by state (finished runs are kept up to --keep-runs and --keep-bytes).", []string{"state"}, nil)
	inFlightDesc = prometheus.NewDesc("aios_generations_in_flight",
		"Requests (generations and embeddings) each LLM core serves now.", []string{"core"}, nil)
	capacityDesc = prometheus.NewDesc("aios_generations_capacity",
		"How many requests each LLM core may serve at once.", []string{"core"}, nil)
	queuedDesc = prometheus.NewDesc("aios_generations_queued",
		"Generations waiting for a core; a waiting generation belongs to no core yet.", nil, nil)
)

// loadCollector reads the run table and the dispatcher at each scrape.
type loadCollector struct{ s *Server }

func (c loadCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- runsDesc
	ch <- inFlightDesc
	ch <- capacityDesc
	ch <- queuedDesc
}

func (c loadCollector) Collect(ch chan<- prometheus.Metric) {
	counts := c.s.runs.countByStatus()
	for _, state := range []string{client.StatusRunning, client.StatusExited, client.StatusFailed, client.StatusCanceled} {
		ch <- prometheus.MustNewConstMetric(runsDesc, prometheus.GaugeValue, float64(counts[state]), state)
	}
	st := c.s.sys.Generations()
	ch <- prometheus.MustNewConstMetric(queuedDesc, prometheus.GaugeValue, float64(st.Queued))
	for _, core := range st.Cores {
		ch <- prometheus.MustNewConstMetric(inFlightDesc, prometheus.GaugeValue, float64(core.InFlight), core.Name)
		ch <- prometheus.MustNewConstMetric(capacityDesc, prometheus.GaugeValue, float64(core.Capacity), core.Name)
	}
}

// countByStatus returns how many runs the store holds in each status.
func (s *runStore) countByStatus() map[string]int {
	s.mu.Lock()
	runs := make([]*run, 0, len(s.byID))
	for _, r := range s.byID {
		runs = append(runs, r)
	}
	s.mu.Unlock()
	counts := map[string]int{}
	for _, r := range runs {
		r.mu.Lock()
		counts[r.status]++
		r.mu.Unlock()
	}
	return counts
}

// usageNow returns the run's usage (final once it has ended).
func (r *run) usageNow() kernel.Usage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.usage
}

// ranFor returns how long the run ran, or has run so far.
func (r *run) ranFor() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended.IsZero() {
		return time.Since(r.started)
	}
	return r.ended.Sub(r.started)
}
