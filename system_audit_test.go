package aios

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiosys/aios/config"
	"github.com/aiosys/aios/policy/audit"
)

// TestSystemPolicyAuditRetention: the System opens the audit log with [audit]'s retention, so
// decisions older than max_age are gone once it has started.
func TestSystemPolicyAuditRetention(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, AuditFile)
	log, err := audit.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, e := range []audit.Entry{
		{Time: now.Add(-48 * time.Hour), Agent: "old", Call: "output", Allow: true},
		{Time: now.Add(-time.Hour), Agent: "recent", Call: "output", Allow: true},
	} {
		if err := log.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Audit.MaxAge = 24 * time.Hour
	sys, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sys.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if log, err = audit.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	got, err := log.Query(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Agent != "recent" {
		t.Errorf("after a System with max_age 24h, the log holds %+v, want only the recent entry", got)
	}
}
