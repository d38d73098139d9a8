package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/dispatch"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

const schedulingFile = `
[[cores]]
name = "local"
kind = "openai"
base_url = "http://127.0.0.1:8000/v1"
models = ["small", "large"]
capacity = 8
rpm = 600
tpm = 100000
price_in = 0.15
price_out = 0.6
class = "fast"
weight = 2

[[cores]]
kind = "echo"
models = ["echo"]

[scheduler]
kind = "priority"
slice = "500ms"
aging = "2s"
strategy = "lowest-cost"
max_attempts = 6
backoff = "100ms"
max_backoff = "2s"
attempt_timeout = "45s"
failure_threshold = 2
cooldown = "10s"
default_max_tokens = 512

[aliases]
quick = "fast"
default = "quick"
big = "large"

[quotas.agents.researcher]
tokens = 100000
money = 2.5

[quotas.tenants.acme]
money = 100
`

func TestLoadSchedulingKeys(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, schedulingFile))
	if err != nil {
		t.Fatal(err)
	}
	wantCore := Core{
		CoreConfig: llm.CoreConfig{Name: "local", Kind: "openai", BaseURL: "http://127.0.0.1:8000/v1",
			Models: []string{"small", "large"}, Capacity: 8},
		RPM: 600, TPM: 100000, PriceIn: 0.15, PriceOut: 0.6, Class: "fast", Weight: 2,
	}
	if !reflect.DeepEqual(cfg.Cores[0], wantCore) {
		t.Errorf("core\n got %+v\nwant %+v", cfg.Cores[0], wantCore)
	}
	wantSched := Scheduler{Kind: "priority", Slice: 500 * time.Millisecond, Aging: 2 * time.Second,
		Strategy: "lowest-cost", MaxAttempts: 6, Backoff: 100 * time.Millisecond, MaxBackoff: 2 * time.Second,
		AttemptTimeout: 45 * time.Second, FailureThreshold: 2, Cooldown: 10 * time.Second, DefaultMaxTokens: 512}
	if !reflect.DeepEqual(cfg.Scheduler, wantSched) {
		t.Errorf("scheduler\n got %+v\nwant %+v", cfg.Scheduler, wantSched)
	}
	if b := cfg.Quotas.Agents["researcher"]; b.Tokens != 100000 || b.Money != 2.5 {
		t.Errorf("researcher budget %+v", b)
	}

	o, err := cfg.DispatchOptions()
	if err != nil {
		t.Fatal(err)
	}
	wantAliases := map[string]string{"quick": "fast", "default": "fast", "big": "large"}
	if !reflect.DeepEqual(o.Aliases, wantAliases) {
		t.Errorf("aliases %v, want %v (chains followed)", o.Aliases, wantAliases)
	}
	if o.Queue.Slice() != 500*time.Millisecond || o.Strategy != dispatch.LowestCost || o.MaxAttempts != 6 ||
		o.AttemptTimeout != 45*time.Second || o.DefaultMaxTokens != 512 {
		t.Errorf("options %+v", o)
	}
	if lim := o.Ledger.Balance(quota.Agent, "researcher").Limit; lim != (quota.Limit{Tokens: 100000, Money: quota.Dollars(2.5)}) {
		t.Errorf("researcher limit %+v", lim)
	}
	if lim := o.Ledger.Balance(quota.Tenant, "acme").Limit; lim.Money != quota.Dollars(100) || lim.Tokens != 0 {
		t.Errorf("acme limit %+v", lim)
	}

	b := cfg.Cores[0].Backend(nil)
	if b.Capacity != 8 || b.PriceIn != quota.Dollars(0.15) || b.Class != "fast" || b.Weight != 2 || b.Model != "small" || b.TPM != 100000 {
		t.Errorf("backend %+v", b)
	}
	if cc := cfg.Cores[0].Dispatched(); cc.Capacity != 0 || cc.Name != "local" {
		t.Errorf("the core under the dispatcher keeps its own capacity: %+v", cc)
	}
	if b := cfg.Cores[1].Backend(nil); b.Capacity != Unbounded {
		t.Errorf("capacity 0 gave dispatcher capacity %d, want Unbounded", b.Capacity)
	}
}

func TestSchedulerDefaults(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, "[scheduler]\nbackoff = \"20s\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Scheduler
	if s.Kind != "fair-share" || s.Strategy != "least-queue" || s.MaxBackoff != 20*time.Second || s.AttemptTimeout != 5*time.Minute {
		t.Errorf("scheduler %+v: want fair share, least queue, max_backoff raised to backoff, 5m attempts", s)
	}
	cfg, err = Load(writeFile(t, dir, "[scheduler]\nattempt_timeout = \"0s\"\n"))
	if err != nil || cfg.Scheduler.AttemptTimeout != 0 {
		t.Errorf("attempt_timeout 0 written out: %v, %v; want no bound", cfg.Scheduler.AttemptTimeout, err)
	}
}

func TestSchedulingErrors(t *testing.T) {
	sim := "[[cores]]\nname = \"sim\"\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:1/v1\"\nmodels = [\"m\"]\nclass = \"fast\"\n"
	tests := []struct {
		name, text string
		want       []string
	}{
		{"unknown scheduler", "[scheduler]\nkind = \"lottery\"\n",
			[]string{`scheduler: kind "lottery" is unknown; use one of fair-share, fifo`}},
		{"unknown strategy", "[scheduler]\nstrategy = \"random\"\n",
			[]string{`strategy "random" is unknown; use one of least-queue, lowest-cost, lowest-latency`}},
		{"slice on fifo", "[scheduler]\nkind = \"fifo\"\nslice = \"1s\"\n",
			[]string{`slice applies only to kind round-robin or priority, not "fifo"`}},
		{"weights without fair share", "[scheduler]\nkind = \"sjf\"\n[scheduler.weights]\na = 2\n",
			[]string{"weights applies only to kind fair-share"}},
		{"zero weight", "[scheduler.weights]\na = 0.0\n", []string{"weights.a is 0"}},
		{"max_backoff below backoff", "[scheduler]\nbackoff = \"2s\"\nmax_backoff = \"1s\"\n",
			[]string{"max_backoff 1s is below backoff 2s"}},
		{"negative attempts", "[scheduler]\nmax_attempts = -1\n", []string{"max_attempts -1"}},
		{"negative price", sim + "price_in = -1.0\n", []string{`cores[0]: core "sim": price_in -1 and price_out 0 must not be negative`}},
		{"negative rpm", sim + "rpm = -5\n", []string{"rpm -5 is negative"}},
		{"negative weight", sim + "weight = -1.0\n", []string{"weight -1 must be a positive number"}},
		{"tpm below max tokens", sim + "tpm = 1000\n",
			[]string{`core "sim": tpm 1000 leaves no room for a request with scheduler.default_max_tokens 2048`}},
		{"alias cycle", sim + "[aliases]\na = \"b\"\nb = \"c\"\nc = \"a\"\n",
			[]string{"aliases: aliases form a cycle: a → b → c → a"}},
		{"alias to nothing", sim + "[aliases]\nsmart = \"gpt-9\"\n",
			[]string{`alias "smart" points at "gpt-9", which no core lists as a model or class`}},
		{"alias hides a model", sim + "[aliases]\nm = \"fast\"\n",
			[]string{`alias "m" has the name of a model or class a core serves`}},
		{"empty alias target", sim + "[aliases]\nx = \"\"\n", []string{`alias "x" = "": neither side may be empty`}},
		{"negative budget", "[quotas.agents.a]\ntokens = -1\n", []string{"quotas.agents.a: tokens -1 is negative"}},
		{"negative money", "[quotas.tenants.t]\nmoney = -0.5\n", []string{"quotas.tenants.t: money -0.5"}},
		{"unknown scheduler key", "[scheduler]\nretries = 3\n", []string{`line 2: unknown key "scheduler.retries"`}},
		{"unknown quota key", "[quotas.agents.a]\ndollars = 3\n", []string{`unknown key "quotas.agents.a.dollars"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			_, err := Load(writeFile(t, dir, tt.text))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestAliasToAnyModelCore(t *testing.T) {
	// With no cores, the echo core serves any model, so an alias may name anything.
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, "[aliases]\nsmart = \"whatever\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if o, err := cfg.DispatchOptions(); err != nil || o.Aliases["smart"] != "whatever" {
		t.Errorf("aliases %v, %v", o.Aliases, err)
	}
}
