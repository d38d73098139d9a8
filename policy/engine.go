package policy

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Engine decides system calls. It is safe for concurrent use; Decide never waits for a reload.
type Engine struct {
	cfg  Config
	caps *ast.Capabilities
	cur  atomic.Pointer[compiled]

	reloadMu  sync.Mutex
	lastPrint fingerprint // of the files at the last load attempt; guarded by reloadMu

	hits, misses atomic.Uint64
}

// New loads the built-in policy and cfg's files and prepares the decision query. It fails if
// the configuration is invalid or the policies do not compile (errors.Is(err, ErrCompile)).
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.clone()
	e := &Engine{cfg: cfg, caps: capabilities(cfg.AllowHostAccess)}
	if err := e.Reload(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// Reload reads the policy files again and, if they compile, puts them in force with an empty
// decision cache. If they do not, it returns the compiler's error and the policy in force stays.
func (e *Engine) Reload(ctx context.Context) error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	e.lastPrint = fingerprintPaths(e.cfg.Paths)
	p, err := compile(ctx, &e.cfg, e.caps)
	if err != nil {
		return fmt.Errorf("policy reload: %w", err)
	}
	e.cur.Store(p)
	return nil
}

// Decide evaluates the policy for in. An error means the call must be denied; the returned
// Decision then says so (Allow false, with a reason) for callers that show it.
//
// A decision may come from the cache (Decision.Cached) when the loaded policy is deterministic
// and an input with the same cache key was decided since the last reload.
func (e *Engine) Decide(ctx context.Context, in Input) (Decision, error) {
	start := time.Now()
	p := e.cur.Load()
	var (
		key       cacheKey
		cacheable bool
	)
	if p.cache != nil {
		var err error
		if key, cacheable, err = in.key(&p.usage); err != nil {
			d := errorDecision(err)
			d.Elapsed = time.Since(start)
			return d, fmt.Errorf("policy: input: %w", err)
		}
	}
	if cacheable {
		if d, ok := p.cache.get(key); ok {
			e.hits.Add(1)
			d = d.Clone()
			d.Cached = true
			d.Elapsed = time.Since(start)
			return d, nil
		}
	}
	e.misses.Add(1)
	d, err := p.eval(ctx, &in)
	if err != nil {
		d = errorDecision(err)
		d.Elapsed = time.Since(start)
		return d, fmt.Errorf("policy: %w", err)
	}
	if cacheable {
		p.cache.put(key, d.Clone())
	}
	d.Elapsed = time.Since(start)
	return d, nil
}

// ReadsTenantUsage reports whether the policy in force reads input.tenant_usage (or the input
// as a whole), so a caller can skip summing a tenant's usage that no rule looks at.
func (e *Engine) ReadsTenantUsage() bool {
	p := e.cur.Load()
	for _, r := range p.usage[len(usageFields):] {
		if r {
			return true
		}
	}
	return false
}

// CacheStats reports decision cache hits and misses since New, and how many decisions the
// cache holds now.
type CacheStats struct {
	Hits, Misses uint64
	Entries      int
}

// CacheStats returns the decision cache's counters.
func (e *Engine) CacheStats() CacheStats {
	s := CacheStats{Hits: e.hits.Load(), Misses: e.misses.Load()}
	if c := e.cur.Load().cache; c != nil {
		s.Entries = c.len()
	}
	return s
}
