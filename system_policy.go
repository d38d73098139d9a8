package aios

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/policy"
	"github.com/aiosys/aios/policy/audit"
)

// policyParts are the policy engine, audit log and reload watchers a System owns.
type policyParts struct {
	engine *policy.Engine
	audit  *audit.Log // nil when auditing is off or there is no data directory
	gate   *kernel.Gate
	stop   context.CancelFunc
	wg     sync.WaitGroup
}

// AuditFile is the audit log's file name in the data directory.
const AuditFile = "audit.db"

// newPolicy builds the policy engine from cfg's [policy] table (with the implicit grant when
// there is none), opens the audit log in the data directory, and, when policy files are
// configured, reloads them on change and on SIGHUP until close. observe, when not nil, is told
// of every decision (WithDecisionObserver).
func newPolicy(ctx context.Context, cfg config.Config, replace []llm.Core, observe kernel.DecisionObserver) (*policyParts, error) {
	pc := cfg.Policy.EngineConfig()
	if pc.Logger == nil {
		pc.Logger = slog.Default()
	}
	eng, err := policy.New(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	p := &policyParts{engine: eng}
	gc := kernel.GateConfig{Policy: eng, Resolve: newRoutes(cfg, replace).resolve,
		Rates: cfg.Policy.Rates, Approve: cfg.Policy.Approve, Observe: observe}
	if !cfg.Policy.NoAudit && cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("audit log: %w", err)
		}
		if p.audit, err = audit.Open(ctx, filepath.Join(cfg.DataDir, AuditFile), audit.WithRetention(cfg.Audit.Retention())); err != nil {
			return nil, err
		}
		gc.Audit = p.audit
	}
	if p.gate, err = kernel.NewGate(gc); err != nil {
		p.close()
		return nil, err
	}
	wctx, stop := context.WithCancel(context.Background())
	p.stop = stop
	if len(pc.Paths) > 0 {
		p.wg.Go(func() { _ = eng.Watch(wctx) })
		p.wg.Go(func() { _ = eng.ReloadOnSIGHUP(wctx) })
	}
	return p, nil
}

// close stops the watchers and flushes and closes the audit log.
func (p *policyParts) close() error {
	if p.stop != nil {
		p.stop()
	}
	p.wg.Wait()
	if p.audit == nil {
		return nil
	}
	return p.audit.Close()
}

// routes is what the policy gate needs to name a generation's model and class.
type routes struct {
	aliases map[string]string
	cores   []routeCore
}

type routeCore struct {
	class  string
	models []string // empty: any
}

func newRoutes(cfg config.Config, replace []llm.Core) routes {
	r := routes{aliases: cfg.Aliases}
	byName := map[string]config.Core{}
	for _, cc := range cfg.CoresOrEcho() {
		byName[cc.EffectiveName()] = cc
		if replace == nil {
			r.cores = append(r.cores, routeCore{class: cc.Class, models: cc.Models})
		}
	}
	for _, c := range replace {
		r.cores = append(r.cores, routeCore{class: byName[c.Name()].Class, models: c.Models()})
	}
	return r
}

// resolve follows aliases as the dispatcher does: a class names no model; a model's class is
// the class every core serving it shares (none when they differ); "" is kernel.DefaultModel,
// with the class every core shares.
func (r routes) resolve(name string) (model, class string) {
	for range len(r.aliases) {
		target, ok := r.aliases[name]
		if !ok {
			break
		}
		name = target
	}
	if name != "" && slices.ContainsFunc(r.cores, func(c routeCore) bool { return c.class == name }) {
		return "", name
	}
	model = name
	if model == "" {
		model = kernel.DefaultModel
	}
	first := true
	for _, c := range r.cores {
		if name != "" && len(c.models) > 0 && !slices.Contains(c.models, name) {
			continue
		}
		if first {
			class, first = c.class, false
		} else if c.class != class {
			return model, ""
		}
	}
	return model, class
}
