package aios

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// gauge wraps a real core and records the most requests it ever had in flight at once. It
// changes nothing of what the core does.
type gauge struct {
	llm.Core
	inflight, peak, calls atomic.Int64
}

func (g *gauge) Generate(ctx context.Context, req llm.Request, onChunk func(llm.Chunk)) (llm.Response, error) {
	n := g.inflight.Add(1)
	defer g.inflight.Add(-1)
	g.calls.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return g.Core.Generate(ctx, req, onChunk)
}

// openaiCore is a [[cores]] entry for an OpenAI-compatible server at baseURL.
func openaiCore(name, baseURL string, capacity int) config.Core {
	return config.Core{CoreConfig: llm.CoreConfig{Name: name, Kind: llm.KindOpenAI, BaseURL: baseURL,
		Models: []string{"sim-model"}, Capacity: capacity}}
}

// fastScheduler is the default scheduler with retries quick enough for tests.
func fastScheduler() config.Scheduler {
	s := config.DefaultScheduler()
	s.Backoff, s.MaxBackoff, s.Cooldown = 5*time.Millisecond, 50*time.Millisecond, 200*time.Millisecond
	return s
}

// wired builds the kernel as System does, with each configured core built for the dispatcher
// and wrapped in a gauge.
func wired(t *testing.T, cfg config.Config) (wiring, map[string]*gauge) {
	t.Helper()
	gauges := map[string]*gauge{}
	var cores []llm.Core
	for _, cc := range cfg.CoresOrEcho() {
		c, err := llm.New(cc.Dispatched())
		if err != nil {
			t.Fatal(err)
		}
		g := &gauge{Core: c}
		gauges[cc.EffectiveName()] = g
		cores = append(cores, g)
	}
	w, err := wire(cfg, cores)
	if err != nil {
		t.Fatal(err)
	}
	return w, gauges
}

func ask(prompt string, maxTokens int) llm.Request {
	return llm.Request{Model: "sim-model", Messages: []llm.Message{{Role: "user", Content: prompt}}, MaxTokens: maxTokens}
}

// outcome is what the generations of a test produced, summed.
type outcome struct {
	mu     sync.Mutex
	ok     int
	tokens int64
	errs   []error
}

func (o *outcome) add(resp llm.Response, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.errs = append(o.errs, err)
		return
	}
	o.ok++
	o.tokens += int64(resp.Usage.InputTokens + resp.Usage.OutputTokens)
}

// runAgents spawns agents processes named name-i and has each run perAgent generations
// concurrently; it returns the processes and what the generations produced.
func runAgents(t *testing.T, k *kernel.Kernel, name string, agents, perAgent int, req func(i, j int) llm.Request) ([]*kernel.Process, *outcome) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var procs []*kernel.Process
	var out outcome
	var wg sync.WaitGroup
	for i := range agents {
		p, err := k.Spawn(kernel.Spec{Name: name, Tenant: "team"})
		if err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
		for j := range perAgent {
			wg.Go(func() { out.add(p.Generate(ctx, req(i, j), nil)) })
		}
	}
	wg.Wait()
	return procs, &out
}

// sumUsage adds up the processes' usage: total tokens and cost, and tokens per core.
func sumUsage(procs []*kernel.Process) (tokens int64, cost quota.Cost, perCore map[string]int64) {
	perCore = map[string]int64{}
	for _, p := range procs {
		u := p.Info().Usage
		tokens += int64(u.InputTokens + u.OutputTokens)
		cost += u.Cost
		for name, c := range u.Cores {
			perCore[name] += int64(c.InputTokens + c.OutputTokens)
		}
	}
	return tokens, cost, perCore
}

// deadPort returns a loopback address where nothing listens.
func deadPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// hangingServer accepts connections and never answers; it closes them when the test ends.
func hangingServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}
