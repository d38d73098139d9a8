package server

import "github.com/prometheus/client_golang/prometheus"

var (
	waitingDesc = prometheus.NewDesc("aios_generations_waiting",
		"Queued generations each LLM core may serve; one that several cores may serve counts for each.", []string{"core"}, nil)
	coreTokensDesc = prometheus.NewDesc("aios_core_tokens_total",
		"Tokens (input and output, generations and embeddings) each LLM core moved since the server started.", []string{"core"}, nil)
	cooldownDesc = prometheus.NewDesc("aios_core_cooldown_seconds",
		"How long until an LLM core that failed is back in rotation; 0 when it is in rotation.", []string{"core"}, nil)
)

// coresCollector reads each core's load from the dispatcher at each scrape.
type coresCollector struct{ s *Server }

func (c coresCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- waitingDesc
	ch <- coreTokensDesc
	ch <- cooldownDesc
}

func (c coresCollector) Collect(ch chan<- prometheus.Metric) {
	for _, core := range c.s.sys.Cores() {
		ch <- prometheus.MustNewConstMetric(waitingDesc, prometheus.GaugeValue, float64(core.Waiting), core.Name)
		ch <- prometheus.MustNewConstMetric(coreTokensDesc, prometheus.CounterValue, float64(core.Tokens), core.Name)
		ch <- prometheus.MustNewConstMetric(cooldownDesc, prometheus.GaugeValue, core.CoolingFor.Seconds(), core.Name)
	}
}
