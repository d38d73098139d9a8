package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// remote is what every core that calls a backend over HTTP shares: its identity, its capacity
// and the bound on one request. The openai, anthropic and ollama cores embed it.
type remote struct {
	name    string
	models  []string
	timeout time.Duration
	slots   slots
	windows windows
	// probeURL is what Probe asks (GET) with client to learn whether the backend answers.
	probeURL string
	client   *http.Client
}

func newRemote(cfg CoreConfig) remote {
	return remote{
		name:    cfg.EffectiveName(),
		models:  slices.Clone(cfg.Models),
		timeout: cfg.Timeout,
		slots:   newSlots(cfg.Capacity),
		windows: windows{configured: cfg.ContextWindow},
	}
}

// Name implements Core.
func (r *remote) Name() string { return r.name }

// Models implements Core.
func (r *remote) Models() []string { return slices.Clone(r.models) }

// ServesModel reports whether the core serves name (see Serves).
func (r *remote) ServesModel(name string) bool {
	return len(r.models) == 0 || slices.Contains(r.models, name)
}

// model returns the model req goes to: the one it names, else the core's first. It also checks
// what every backend needs of a request, so that a malformed one costs no HTTP round trip.
func (r *remote) model(req Request) (string, error) {
	model := req.Model
	if model == "" {
		if len(r.models) == 0 {
			return "", fmt.Errorf("%w: the request names no model and the core lists none", ErrBadRequest)
		}
		model = r.models[0]
	}
	if err := req.Check(); err != nil {
		return "", err
	}
	return model, nil
}

// generate runs call, one request to the backend for model, holding a capacity slot and bounded
// by the core's timeout. When ctx or the timeout ends the call, it returns the context's error
// with what call received so far and finish reason "canceled"; any other failure goes through
// explain. A response without usage gets the word-count estimate, so that a backend reporting
// none does not make generations free.
func (r *remote) generate(ctx context.Context, req Request, model string,
	call func(context.Context) (Response, error), explain func(error) error) (Response, error) {
	if err := r.slots.acquire(ctx); err != nil {
		return Response{}, err
	}
	defer r.slots.release()
	rctx, cancel := withTimeout(ctx, r.timeout)
	defer cancel()

	resp, err := call(rctx)
	resp.Core = r.name
	if resp.Model == "" {
		resp.Model = model
	}
	if err != nil {
		if cerr := ctxError(ctx, rctx, r.timeout); cerr != nil {
			resp.FinishReason = "canceled"
			return resp, cerr
		}
		return Response{}, explain(err)
	}
	if resp.Usage == (Usage{}) {
		resp.Usage = Usage{InputTokens: countMessageWords(req.Messages), OutputTokens: countWords(resp.Text)}
	}
	return resp, nil
}

// idleConnsPerHost is how many idle connections a core keeps to its backend. Go's default of 2
// makes a kernel serving many agents open a new connection for most requests (and leave
// thousands of sockets in TIME_WAIT); a core talks to one host, so it keeps many.
const idleConnsPerHost = 256

// newHTTPClient returns a client with its own copy of the default transport, so that one core's
// connections and settings are not shared with the rest of the process.
func newHTTPClient(name string) (*http.Client, error) {
	transport, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("core %q: the default HTTP transport is not an *http.Transport", name)
	}
	t := transport.Clone()
	t.MaxIdleConns = idleConnsPerHost
	t.MaxIdleConnsPerHost = idleConnsPerHost
	return &http.Client{Transport: t}, nil
}

// requestError is a request that got no answer from the backend: it names the API root and
// the cause once, without the client's "Post <URL>:" (a retry line would show both URLs).
type requestError struct {
	base string
	err  error // the client's error, a *url.Error for a transport failure
}

func requestFailed(base string, err error) error { return &requestError{base: base, err: err} }

func (e *requestError) Error() string {
	cause := e.err
	var ue *url.Error
	if errors.As(cause, &ue) {
		cause = ue.Err
	}
	return "request to " + e.base + " failed: " + cause.Error()
}

func (e *requestError) Unwrap() error { return e.err }
