package quota

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// clock is a settable time for ledgers under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func openFile(t *testing.T, path string, opts ...Option) *Ledger {
	t.Helper()
	l, err := OpenLedger(context.Background(), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return l
}

func mustReserve(t *testing.T, l *Ledger, p Payer, est Amount) *Reservation {
	t.Helper()
	r, err := l.Reserve(p, est)
	if err != nil {
		t.Fatalf("reserve %+v: %v", est, err)
	}
	return r
}

func mustRefuse(t *testing.T, l *Ledger, p Payer, est Amount) *ExhaustedError {
	t.Helper()
	_, err := l.Reserve(p, est)
	var ex *ExhaustedError
	if !errors.As(err, &ex) {
		t.Fatalf("reserve %+v: %v, want an *ExhaustedError", est, err)
	}
	return ex
}

// TestLedgerFileIsSharedBetweenLedgers opens one file twice, as two processes would: each sees
// the other's use and reservations, and the smallest of the agent's and tenant's budgets binds.
func TestLedgerFileIsSharedBetweenLedgers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quota.db")
	a, b := openFile(t, path), openFile(t, path)
	for _, l := range []*Ledger{a, b} {
		l.SetLimit(Agent, "w", Limit{Tokens: 100})
		l.SetLimit(Tenant, "acme", Limit{Tokens: 1000, Money: Dollars(1)})
	}
	p := Payer{Agent: "w", Tenant: "acme"}
	ra := mustReserve(t, a, p, Amount{Tokens: 60})
	ex := mustRefuse(t, b, p, Amount{Tokens: 50})
	if ex.Scope != Agent || ex.Reserved != 60 || ex.Used != 0 {
		t.Fatalf("refusal %+v, want the agent's budget with 60 held", ex)
	}
	ra.Settle(Amount{Tokens: 40, Money: Dollars(0.5)})
	ra.Settle(Amount{Tokens: 40}) // a second end does nothing
	written(a)
	rb := mustReserve(t, b, p, Amount{Tokens: 60})
	if ex := mustRefuse(t, a, p, Amount{Money: Dollars(0.6)}); ex.Scope != Tenant || ex.Resource != "money" {
		t.Fatalf("refusal %+v, want the tenant's money budget", ex)
	}
	rb.Release()
	written(b)
	got, err := a.Lookup(Agent, "w")
	if err != nil || got != (Balance{Limit: Limit{Tokens: 100}, Used: Amount{Tokens: 40, Money: Dollars(0.5)}}) {
		t.Fatalf("balance %+v, %v", got, err)
	}
	if room, limited := b.TokenRoom(p); room != 60 || !limited {
		t.Fatalf("TokenRoom = %d, %v; want 60, true", room, limited)
	}
}

// TestLedgerFileKeepsUseAcrossOpens closes a ledger and opens the file again: the use is there,
// and the reservations the first ledger still held at Close are gone.
func TestLedgerFileKeepsUseAcrossOpens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quota.db")
	l, err := OpenLedger(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	mustReserve(t, l, Payer{Agent: "w"}, Amount{Tokens: 7}).Settle(Amount{Tokens: 5})
	mustReserve(t, l, Payer{Agent: "w"}, Amount{Tokens: 9}) // never ended
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	again := openFile(t, path)
	if b := again.Balance(Agent, "w"); b.Used.Tokens != 5 || b.Reserved.Tokens != 0 {
		t.Fatalf("balance after reopening %+v, want 5 used and nothing held", b)
	}
}

// TestLedgerFileReclaimsLapsedLeases holds a reservation in one ledger that then stops renewing
// it (as a killed process would): another ledger is refused until the lease lapses, then the
// hold is gone. The killed process itself is TestKilledProcessReservationIsReclaimed.
func TestLedgerFileReclaimsLapsedLeases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quota.db")
	c := &clock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	dead, err := OpenLedger(context.Background(), path, WithClock(c.now), WithLease(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	live := openFile(t, path, WithClock(c.now), WithLease(time.Hour))
	live.SetLimit(Agent, "w", Limit{Tokens: 100})
	dead.SetLimit(Agent, "w", Limit{Tokens: 100}) // processes sharing a file share their [quotas]
	mustReserve(t, dead, Payer{Agent: "w"}, Amount{Tokens: 80})
	close(dead.db.stop) // the process stops renewing; its file handle stays open
	dead.db.done.Wait()
	mustRefuse(t, live, Payer{Agent: "w"}, Amount{Tokens: 30})
	c.set(c.t.Add(59 * time.Minute))
	mustRefuse(t, live, Payer{Agent: "w"}, Amount{Tokens: 30})
	c.set(c.t.Add(2 * time.Minute))
	mustReserve(t, live, Payer{Agent: "w"}, Amount{Tokens: 100}).Settle(Amount{Tokens: 100})
	if err := dead.db.db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestLedgerFileRenewsLeases keeps a reservation past several leases: its owner renews it, so
// another ledger never reclaims it.
func TestLedgerFileRenewsLeases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quota.db")
	// A lease of 4 s renewed every second: the holder may be kept off the processor for up to
	// 3 s on a loaded machine before its hold lapses.
	holder := openFile(t, path, WithLease(4*time.Second))
	other := openFile(t, path, WithLease(4*time.Second))
	other.SetLimit(Agent, "w", Limit{Tokens: 100})
	holder.SetLimit(Agent, "w", Limit{Tokens: 100})
	r := mustReserve(t, holder, Payer{Agent: "w"}, Amount{Tokens: 80})
	for range 6 { // past the first lease
		time.Sleep(time.Second)
		// Each try reclaims lapsed leases first; the renewed one is not.
		mustRefuse(t, other, Payer{Agent: "w"}, Amount{Tokens: 30})
	}
	r.Settle(Amount{Tokens: 10})
	written(holder)
	mustReserve(t, other, Payer{Agent: "w"}, Amount{Tokens: 90})
}

// written waits until l's writer has written every settlement ended so far, as another process
// sees the file after it has.
func written(l *Ledger) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.db.flush()
}

// TestLedgerFileWritesSettlementsOffTheCallersPath: Settle returns before its transaction, and
// the ledger's writer commits it with nothing else happening in its process; another ledger on
// the file then sees the use and the hold gone.
func TestLedgerFileWritesSettlementsOffTheCallersPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quota.db")
	a, b := openFile(t, path), openFile(t, path)
	a.SetLimit(Agent, "w", Limit{Tokens: 100})
	for range 20 {
		mustReserve(t, a, Payer{Agent: "w", Tenant: "acme"}, Amount{Tokens: 5}).Settle(Amount{Tokens: 3})
	}
	mustReserve(t, a, Payer{Agent: "free"}, Amount{Tokens: 5}).Settle(Amount{Tokens: 2}) // no limit: nothing held
	guard := time.Now().Add(time.Minute)
	for {
		w, err := b.Lookup(Agent, "w")
		if err != nil {
			t.Fatal(err)
		}
		free, tenant := b.Balance(Agent, "free"), b.Balance(Tenant, "acme")
		if w.Used.Tokens == 60 && w.Reserved.Tokens == 0 && free.Used.Tokens == 2 && tenant.Used.Tokens == 60 {
			break
		}
		if time.Now().After(guard) {
			t.Fatalf("after a minute another ledger sees w %+v, free %+v, acme %+v; want 60, 2 and 60 used, nothing held", w, free, tenant)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLedgerFilePeriods counts a daily and a monthly budget over days and months of an injected
// clock, in UTC: use starts afresh at 00:00 UTC, and a call reserved before midnight and settled
// after counts on the day it was reserved.
func TestLedgerFilePeriods(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 31, 23, 59, 0, 0, time.FixedZone("UTC+5", 5*3600))}
	l := openFile(t, filepath.Join(t.TempDir(), "quota.db"), WithClock(c.now))
	testPeriods(t, l, c)
}

// TestLedgerInMemoryPeriods is TestLedgerFilePeriods for a ledger in memory.
func TestLedgerInMemoryPeriods(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 31, 23, 59, 0, 0, time.FixedZone("UTC+5", 5*3600))}
	testPeriods(t, NewLedger(WithClock(c.now)), c)
}

func testPeriods(t *testing.T, l *Ledger, c *clock) {
	t.Helper()
	// 2026-12-31 23:59 at UTC+5 is 18:59 UTC: still the 31st in UTC.
	l.SetLimit(Agent, "d", Limit{Tokens: 100, Period: Daily})
	l.SetLimit(Tenant, "m", Limit{Tokens: 250, Period: Monthly})
	p := Payer{Agent: "d", Tenant: "m"}
	mustReserve(t, l, p, Amount{Tokens: 90}).Settle(Amount{Tokens: 90})
	ex := mustRefuse(t, l, p, Amount{Tokens: 20})
	if ex.Scope != Agent || ex.Period != Daily || ex.Budget() != `agent "d" daily tokens budget of 100 tokens` {
		t.Fatalf("refusal %+v (%s), want the daily budget", ex, ex.Budget())
	}
	c.set(time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC))
	late := mustReserve(t, l, p, Amount{Tokens: 10})
	c.set(time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC)) // a new day and a new month
	late.Settle(Amount{Tokens: 10})                    // counts on the 31st
	if b := l.Balance(Agent, "d"); b.Used.Tokens != 0 || b.Limit.Period != Daily {
		t.Fatalf("daily balance on the 1st %+v, want nothing used", b)
	}
	mustReserve(t, l, p, Amount{Tokens: 100}).Settle(Amount{Tokens: 100})
	mustRefuse(t, l, p, Amount{Tokens: 1})
	c.set(time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC))
	mustReserve(t, l, p, Amount{Tokens: 100}).Settle(Amount{Tokens: 100})
	c.set(time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC))
	if ex := mustRefuse(t, l, p, Amount{Tokens: 51}); ex.Scope != Tenant || ex.Used != 200 {
		t.Fatalf("refusal %+v, want the monthly tenant budget with 200 used", ex)
	}
	mustReserve(t, l, p, Amount{Tokens: 50}).Settle(Amount{Tokens: 50})
	if b := l.Balance(Tenant, "m"); b.Used.Tokens != 250 {
		t.Fatalf("monthly balance %+v, want 250 used", b)
	}
}

// TestLedgerFileSaturates settles and holds amounts near 2^63: sums stay at the bound rather
// than wrapping or failing, and a full budget still refuses.
func TestLedgerFileSaturates(t *testing.T) {
	l := openFile(t, filepath.Join(t.TempDir(), "quota.db"))
	huge := Amount{Tokens: math.MaxInt64, Money: math.MaxInt64}
	p := Payer{Agent: "big", Tenant: "t"}
	// Holds are kept in the file only for an account with a limit; a second huge hold is
	// refused by the bound rather than wrapping to room.
	l.SetLimit(Tenant, "t", Limit{Money: math.MaxInt64})
	r1 := mustReserve(t, l, p, huge)
	if b := l.Balance(Tenant, "t"); b.Reserved != huge {
		t.Fatalf("a huge hold %+v, want the bound", b.Reserved)
	}
	mustRefuse(t, l, p, huge)
	l.Forget(Tenant, "t")
	r2 := mustReserve(t, l, p, huge) // no limit: nothing held, the use still recorded
	r1.Settle(huge)
	r2.Settle(huge)
	mustReserve(t, l, p, Amount{Tokens: -5, Money: -5}).Settle(Amount{Tokens: math.MinInt64, Money: -1})
	if b := l.Balance(Tenant, "t"); b.Used != huge || b.Reserved != (Amount{}) {
		t.Fatalf("balance %+v, want the bound used and nothing held", b)
	}
	l.SetLimit(Agent, "big", Limit{Tokens: math.MaxInt64})
	mustRefuse(t, l, p, Amount{Tokens: 1})
	l.SetLimit(Agent, "small", Limit{Tokens: 300})
	mustRefuse(t, l, Payer{Agent: "small"}, Amount{Tokens: math.MaxInt64})
}

// TestLedgerFileNamesAreBytes charges accounts whose names hold NUL, newlines and invalid UTF-8:
// each is its own account.
func TestLedgerFileNamesAreBytes(t *testing.T) {
	l := openFile(t, filepath.Join(t.TempDir(), "quota.db"))
	names := []string{"a\x00b", "a", "a\x00c", "\xff\xfe\n", ""}
	for i, n := range names {
		l.SetLimit(Agent, n, Limit{Tokens: 10})
		mustReserve(t, l, Payer{Agent: n, Tenant: n}, Amount{Tokens: int64(i + 1)}).Settle(Amount{Tokens: int64(i + 1)})
	}
	for i, n := range names {
		if b := l.Balance(Agent, n); b.Used.Tokens != int64(i+1) {
			t.Errorf("agent %q used %d, want %d", n, b.Used.Tokens, i+1)
		}
		if b := l.Balance(Tenant, n); n != "" && b.Used.Tokens != int64(i+1) { // "": no tenant
			t.Errorf("tenant %q used %d, want %d", n, b.Used.Tokens, i+1)
		}
	}
}

// TestLedgerFileRunAccounts keeps a run's budget in memory, charged together with the agent's
// in the file.
func TestLedgerFileRunAccounts(t *testing.T) {
	l := openFile(t, filepath.Join(t.TempDir(), "quota.db"))
	l.SetLimit(Agent, "w", Limit{Tokens: 100})
	l.SetLimit(Run, "w[1]", Limit{Tokens: 30})
	p := Payer{Agent: "w", Run: "w[1]"}
	mustReserve(t, l, p, Amount{Tokens: 20}).Settle(Amount{Tokens: 20})
	if ex := mustRefuse(t, l, p, Amount{Tokens: 20}); ex.Scope != Run {
		t.Fatalf("refusal %+v, want the run's", ex)
	}
	if b := l.Balance(Run, "w[1]"); b.Used.Tokens != 20 {
		t.Fatalf("run balance %+v", b)
	}
	l.Forget(Run, "w[1]")
	if _, err := l.Reserve(p, Amount{Tokens: 1}); !errors.Is(err, ErrExhausted) {
		t.Fatalf("a forgotten run reserved: %v", err)
	}
	if b := l.Balance(Agent, "w"); b.Used.Tokens != 20 || b.Reserved.Tokens != 0 {
		t.Fatalf("agent balance %+v, want 20 used and nothing held", b)
	}
}

// TestOpenLedgerRefusesABadPath names a directory that does not exist.
func TestOpenLedgerRefusesABadPath(t *testing.T) {
	_, err := OpenLedger(context.Background(), filepath.Join(t.TempDir(), "no", "such", "quota.db"))
	if err == nil {
		t.Fatal("opened a ledger in a directory that does not exist")
	}
}

// TestLedgerFileConcurrentCallers charges one budget from many goroutines through two ledgers
// on one file: the budget is used to within one request and never passed.
func TestLedgerFileConcurrentCallers(t *testing.T) {
	const limit, est = 3000, 11
	path := filepath.Join(t.TempDir(), "quota.db")
	ledgers := []*Ledger{openFile(t, path), openFile(t, path)}
	for _, l := range ledgers {
		l.SetLimit(Tenant, "t", Limit{Tokens: limit})
	}
	var wg sync.WaitGroup
	for i := range 40 {
		l := ledgers[i%2]
		wg.Go(func() {
			for {
				r, err := l.Reserve(Payer{Agent: "a", Tenant: "t"}, Amount{Tokens: est})
				if errors.Is(err, ErrExhausted) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				r.Settle(Amount{Tokens: est})
			}
		})
	}
	wg.Wait()
	written(ledgers[1])
	b := ledgers[0].Balance(Tenant, "t")
	if b.Used.Tokens > limit || b.Used.Tokens <= limit-est || b.Reserved.Tokens != 0 {
		t.Fatalf("balance %+v, want within %d below %d", b, est, limit)
	}
}
