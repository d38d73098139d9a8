package aios

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/kernel/quota"
)

// LedgerFile is the quota ledger's file in the data directory: the use of every agent and
// tenant, shared by every process that uses the directory (docs/CONFIG.md, [quotas]).
const LedgerFile = "quota.db"

// openLedger opens the quota ledger in cfg's data directory, holding cfg's [quotas] budgets. It
// returns nil without a data directory: the dispatcher then keeps use in memory, for this
// process alone.
func openLedger(ctx context.Context, cfg config.Config) (*quota.Ledger, error) {
	if cfg.DataDir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	l, err := quota.OpenLedger(ctx, filepath.Join(cfg.DataDir, LedgerFile))
	if err != nil {
		return nil, err
	}
	cfg.Quotas.SetLimits(l)
	return l, nil
}
