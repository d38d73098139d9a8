package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Prober is implemented by cores that reach a backend over the network.
type Prober interface {
	// URL is the address Probe asks.
	URL() string
	// Probe reports whether the backend answers at all, within ctx: any HTTP answer, even an
	// error status, is an answer; a refused connection, a failed name lookup or ctx ending
	// first is not. It sends no credentials.
	Probe(ctx context.Context) error
}

// ContextWindow implements Windowed: the window the backend reports for model (the core's
// first model when model is empty), else the configured context_window; the smaller when both
// are known.
func (r *remote) ContextWindow(ctx context.Context, model string) int {
	if model == "" && len(r.models) > 0 {
		model = r.models[0]
	}
	return r.windows.get(ctx, model)
}

// URL implements Prober.
func (r *remote) URL() string { return r.probeURL }

// Probe implements Prober.
func (r *remote) Probe(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.probeURL, nil)
	if err != nil {
		return fmt.Errorf("probe %s: %w", r.probeURL, err)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return ue.Err // the caller names the URL
		}
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.Body.Close()
}

// Reach is what probing one core found.
type Reach struct {
	Core string
	URL  string // empty for a core with no backend to reach (echo)
	Err  error  // nil: the backend answered, or there is none to reach
}

// ProbeAll probes every core that is a Prober, concurrently, each within timeout, and returns
// one Reach per core, in the order of cores. Cores that reach nothing over the network (echo)
// are always reachable.
func ProbeAll(ctx context.Context, cores []Core, timeout time.Duration) []Reach {
	out := make([]Reach, len(cores))
	var wg sync.WaitGroup
	for i, c := range cores {
		out[i].Core = c.Name()
		p, ok := c.(Prober)
		if !ok {
			continue
		}
		out[i].URL = p.URL()
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			err := p.Probe(pctx)
			if err != nil && ctx.Err() == nil && pctx.Err() != nil {
				err = fmt.Errorf("no answer within %s", timeout)
			}
			out[i].Err = err
		})
	}
	wg.Wait()
	return out
}
