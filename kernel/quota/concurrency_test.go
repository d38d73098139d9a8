package quota

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// TestThousandConcurrentReservationsNeverOvershoot holds every reservation until all callers
// have tried: exactly as many fit as the budget allows, and not one more.
func TestThousandConcurrentReservationsNeverOvershoot(t *testing.T) {
	const limit, est, callers = 10_000, 37, 1000
	l := NewLedger()
	l.SetLimit(Agent, "a", Limit{Tokens: limit})
	l.SetLimit(Tenant, "t", Limit{Tokens: limit * 2})
	var (
		ok, refused atomic.Int64
		tried, wg   sync.WaitGroup
		release     = make(chan struct{})
	)
	tried.Add(callers)
	for range callers {
		wg.Go(func() {
			r, err := l.Reserve(Payer{Agent: "a", Tenant: "t"}, Amount{Tokens: est})
			tried.Done()
			if err != nil {
				if !errors.Is(err, ErrExhausted) {
					t.Errorf("unexpected error: %v", err)
				}
				refused.Add(1)
				return
			}
			ok.Add(1)
			<-release
			r.Settle(Amount{Tokens: est})
		})
	}
	tried.Wait()
	close(release)
	wg.Wait()
	if ok.Load() != limit/est || refused.Load() != callers-limit/est {
		t.Fatalf("%d reservations succeeded and %d were refused; want %d and %d", ok.Load(), refused.Load(), limit/est, callers-limit/est)
	}
	if b := l.Balance(Agent, "a"); b.Used.Tokens > limit || b.Reserved.Tokens != 0 {
		t.Fatalf("agent balance %+v overshoots %d", b, limit)
	}
}

// TestConcurrentReserveSettleChurn reserves and settles from 1,000 goroutines while a watcher
// checks that use plus holdings never pass the limit.
func TestConcurrentReserveSettleChurn(t *testing.T) {
	const limit, callers = 50_000, 1000
	l := NewLedger()
	l.SetLimit(Agent, "a", Limit{Tokens: limit, Money: Dollars(5)})
	stop := make(chan struct{})
	watched := make(chan error, 1)
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			default:
			}
			b := l.Balance(Agent, "a")
			if b.Used.Tokens+b.Reserved.Tokens > limit || b.Used.Money+b.Reserved.Money > Dollars(5) {
				watched <- errors.New("limit overshot while calls were in progress")
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			for k := range 20 {
				est := Amount{Tokens: int64(10 + (i+k)%90), Money: Cost(1000 + (i*k)%5000)}
				r, err := l.Reserve(Payer{Agent: "a"}, est)
				if err != nil {
					continue
				}
				r.Settle(Amount{Tokens: est.Tokens - int64(k%3), Money: est.Money / 2})
			}
		})
	}
	wg.Wait()
	close(stop)
	if err := <-watched; err != nil {
		t.Fatal(err)
	}
	b := l.Balance(Agent, "a")
	if b.Used.Tokens > limit || b.Used.Money > Dollars(5) || b.Reserved != (Amount{}) {
		t.Fatalf("final balance %+v overshoots", b)
	}
}
