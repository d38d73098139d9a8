package quota

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkReserveSettle measures what a caller pays for one Reserve and Settle of a call
// charged to an agent and a tenant: both with budgets, in a ledger in memory and in a ledger
// file (one SQLite write transaction at Reserve, which also writes the settlements that ended
// before it), the file as OpenLedger sets it (synchronous NORMAL) and, for comparison, with
// every commit flushed to disk (synchronous FULL); and, in "file-unlimited", with no budget,
// where the call costs its caller no transaction (the ledger's writer records the use).
func BenchmarkReserveSettle(b *testing.B) {
	open := func(full bool) *Ledger {
		l, err := OpenLedger(context.Background(), filepath.Join(b.TempDir(), "quota.db"))
		if err != nil {
			b.Fatal(err)
		}
		if full {
			if _, err := l.db.db.Exec(`PRAGMA synchronous = FULL`); err != nil { // the pool's one connection
				b.Fatal(err)
			}
		}
		b.Cleanup(func() { l.Close() })
		return l
	}
	for _, bc := range []struct {
		name string
		l    *Ledger
	}{{"memory", NewLedger()}, {"file", open(false)}, {"file-synchronous-full", open(true)}, {"file-unlimited", open(false)}} {
		b.Run(bc.name, func(b *testing.B) {
			if bc.name != "file-unlimited" {
				bc.l.SetLimit(Agent, "a", Limit{Tokens: 1 << 62, Period: Daily})
				bc.l.SetLimit(Tenant, "t", Limit{Tokens: 1 << 62, Money: 1 << 62, Period: Monthly})
			}
			p := Payer{Agent: "a", Tenant: "t"}
			for b.Loop() {
				r, err := bc.l.Reserve(p, Amount{Tokens: 500, Money: 300})
				if err != nil {
					b.Fatal(err)
				}
				r.Settle(Amount{Tokens: 400, Money: 250})
			}
		})
	}
}
