package server

import (
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/aiosys/aios/client"
)

// scrape gets /metrics with token ("" for none) and parses it.
func (s *testServer) scrape(token string) map[string]*dto.MetricFamily {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.ts.URL+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.http().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		s.t.Fatalf("GET /metrics is not the Prometheus text format: %v", err)
	}
	return fams
}

// sample returns the value of the family's metric with exactly labels (a counter, gauge, or a
// histogram's count), or -1 if there is none.
func sample(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f, ok := fams[name]
	if !ok {
		return -1
	}
next:
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		for _, l := range m.GetLabel() {
			if labels[l.GetName()] != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return -1
}

func TestMetricsCountCallsRunsAndTokens(t *testing.T) {
	rego := `package aios.policy

deny contains "this agent may not generate" if {
	input.call == "llm_generate"
	input.agent.name == "blocked"
}
`
	toml := "[policy]\npaths = [\"deny.rego\"]\n[[policy.grants]]\nagent = \"*\"\nmodels = [\"*\"]\nclasses = [\"*\"]\n"
	s := newTestServer(t, toml, map[string]string{"deny.rego": rego}, Options{})
	c := s.client("")
	ok := waitFinal(t, c, submit(t, c, "generate", "").ID)
	again := waitFinal(t, c, submit(t, c, "generate", "").ID)
	r, err := c.Submit(t.Context(), client.RunRequest{Module: fixture(t, "generate"), Name: "blocked"})
	if err != nil {
		t.Fatal(err)
	}
	denied := waitFinal(t, c, r.ID)
	if ok.Status != client.StatusExited || again.Status != client.StatusExited || denied.Status != client.StatusFailed {
		t.Fatalf("runs = %+v, %+v and %+v, want two exited and one failed", ok, again, denied)
	}

	fams := s.scrape("")
	want := func(name string, labels map[string]string, atLeast float64) {
		t.Helper()
		if v := sample(fams, name, labels); v < atLeast {
			t.Errorf("%s%v = %v, want at least %v", name, labels, v, atLeast)
		}
	}
	equal := func(name string, labels map[string]string, v float64) {
		t.Helper()
		if got := sample(fams, name, labels); got != v {
			t.Errorf("%s%v = %v, want %v", name, labels, got, v)
		}
	}
	want("aios_syscalls_total", map[string]string{"call": "llm_generate", "decision": "allow"}, 2)
	equal("aios_syscalls_total", map[string]string{"call": "llm_generate", "decision": "deny"}, 1)
	want("aios_policy_decision_seconds", map[string]string{"call": "llm_generate"}, 3)
	var in, out int
	for _, run := range []client.Run{ok, again, denied} {
		in, out = in+run.Usage.InputTokens, out+run.Usage.OutputTokens
	}
	if in == 0 || out == 0 {
		t.Fatalf("runs used %d input and %d output tokens, want some", in, out)
	}
	equal("aios_tokens_total", map[string]string{"tenant": DefaultTenant, "kind": "input"}, float64(in))
	equal("aios_tokens_total", map[string]string{"tenant": DefaultTenant, "kind": "output"}, float64(out))
	equal("aios_cost_usd_total", map[string]string{"tenant": DefaultTenant}, 0) // the echo core is free
	equal("aios_runs", map[string]string{"state": client.StatusExited}, 2)
	equal("aios_runs", map[string]string{"state": client.StatusFailed}, 1)
	equal("aios_runs", map[string]string{"state": client.StatusRunning}, 0)
	equal("aios_run_duration_seconds", map[string]string{"state": client.StatusExited}, 2)
	equal("aios_run_duration_seconds", map[string]string{"state": client.StatusFailed}, 1)
	equal("aios_generations_queued", map[string]string{}, 0)
	equal("aios_generations_in_flight", map[string]string{"core": "echo"}, 0)
	want("aios_generations_capacity", map[string]string{"core": "echo"}, 1)
	equal("aios_http_request_duration_seconds", map[string]string{"route": "POST /v1/runs", "status": "201"}, 3)
	want("aios_http_request_duration_seconds", map[string]string{"route": "GET /v1/runs/{id}", "status": "200"}, 3)
}

func TestMetricsNeedATokenWhenTokensAreConfigured(t *testing.T) {
	s, alice, _ := twoTenants(t, "", nil, Options{})
	resp, err := s.http().Get(s.ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET /metrics without a token: %s, want 401", resp.Status)
	}
	fams := s.scrape(alice)
	if sample(fams, "aios_runs", map[string]string{"state": client.StatusRunning}) != 0 {
		t.Fatalf("metrics with a token: no aios_runs{state=running} of 0")
	}
}

func TestMetricsOfSeveralServersAreApart(t *testing.T) {
	a := newTestServer(t, "", nil, Options{})
	b := newTestServer(t, "", nil, Options{})
	ca := a.client("")
	waitFinal(t, ca, submit(t, ca, "generate", "").ID)
	if v := sample(b.scrape(""), "aios_runs", map[string]string{"state": client.StatusExited}); v != 0 {
		t.Fatalf("the other server counts %v exited runs, want 0", v)
	}
	if v := sample(a.scrape(""), "aios_runs", map[string]string{"state": client.StatusExited}); v != 1 {
		t.Fatalf("the server counts %v exited runs, want 1", v)
	}
}
