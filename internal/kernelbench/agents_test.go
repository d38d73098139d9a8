package kernelbench

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel"
)

// spawn adds n processes named name-i to k.
func spawn(b *testing.B, k *kernel.Kernel, name string, n int) []*kernel.Process {
	b.Helper()
	procs := make([]*kernel.Process, n)
	for i := range procs {
		p, err := k.Spawn(kernel.Spec{Name: fmt.Sprintf("%s-%d", name, i), Tenant: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		procs[i] = p
	}
	return procs
}

// runAgents runs agent(ctx, i) for i in [0, n) concurrently and returns the first error. The
// context ends after a generous bound, so a stuck scenario fails instead of hanging.
func runAgents(n int, agent func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for i := range n {
		wg.Go(func() {
			if err := agent(ctx, i); err != nil {
				once.Do(func() { first = fmt.Errorf("agent %d: %w", i, err); cancel() })
			}
		})
	}
	wg.Wait()
	return first
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func storeMax(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}

// wordsPrompt returns a prompt of n words.
func wordsPrompt(n int) string {
	return strings.TrimSpace(strings.Repeat("word ", n))
}

// maxInt is the largest int stored so far, safe for concurrent use.
type maxInt struct {
	mu sync.Mutex
	v  int
}

func (m *maxInt) store(v int) {
	m.mu.Lock()
	m.v = max(m.v, v)
	m.mu.Unlock()
}

func (m *maxInt) load() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.v
}
