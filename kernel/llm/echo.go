package llm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// EchoName is the echo core's name when its configuration gives none.
const EchoName = KindEcho

// EchoPrefix starts every reply of the echo core, so that its output is never taken for a model's.
const EchoPrefix = "echo: "

// EchoNotice is what a front end tells the user when generations go to the echo core because no
// other core is configured.
const EchoNotice = "no LLM cores are configured: using the built-in echo core, which repeats " +
	"the last user message (add [[cores]] to aios.toml to use a real model)"

// Echo is the built-in deterministic core. It replies EchoPrefix followed by the last user
// or tool message, word by word; the same request always gets the same response and chunks.
// It also calls tools and computes embeddings deterministically (see EchoToolCall and
// Echo.Embed), so that tool calling and embeddings can be exercised without a model.
//
// # Notes
//
//   - A token is a whitespace-separated word. Input tokens are the words of all messages; output
//     tokens are the echoed words, without EchoPrefix, so they never exceed max_tokens.
//   - With max_tokens set and a longer message, the reply stops after max_tokens words with
//     finish reason "length".
//   - Temperature is ignored. A request without a user message gets an empty echo.
type Echo struct {
	name    string
	models  []string
	latency time.Duration
	timeout time.Duration
	slots   slots
}

// NewEcho returns an echo core for cfg, whose Kind must be "echo" or empty.
func NewEcho(cfg CoreConfig) (*Echo, error) {
	if cfg.Kind == "" {
		cfg.Kind = KindEcho
	}
	if cfg.Kind != KindEcho {
		return nil, fmt.Errorf("core %q: NewEcho needs kind %q, not %q", cfg.EffectiveName(), KindEcho, cfg.Kind)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Echo{
		name:    cfg.EffectiveName(),
		models:  slices.Clone(cfg.Models),
		latency: cfg.Latency,
		timeout: cfg.Timeout,
		slots:   newSlots(cfg.Capacity),
	}, nil
}

// IsEcho reports whether c is an echo core.
func IsEcho(c Core) bool {
	_, ok := c.(*Echo)
	return ok
}

// Name implements Core.
func (e *Echo) Name() string { return e.name }

// Models implements Core.
func (e *Echo) Models() []string { return slices.Clone(e.models) }

// ServesModel reports whether the core serves name (see Serves).
func (e *Echo) ServesModel(name string) bool {
	return len(e.models) == 0 || slices.Contains(e.models, name)
}

// Generate implements Core. When ctx ends mid-reply, it returns ctx's error together with the
// words sent so far and finish reason "canceled".
func (e *Echo) Generate(ctx context.Context, req Request, onChunk func(Chunk)) (Response, error) {
	if len(req.Messages) == 0 {
		return Response{}, fmt.Errorf("%w: a request needs at least one message", ErrBadRequest)
	}
	if req.MaxTokens < 0 {
		return Response{}, fmt.Errorf("%w: max_tokens %d is negative", ErrBadRequest, req.MaxTokens)
	}
	if err := e.slots.acquire(ctx); err != nil {
		return Response{}, err
	}
	defer e.slots.release()
	rctx, cancel := withTimeout(ctx, e.timeout)
	defer cancel()

	if call, ok := EchoToolCall(req); ok {
		if err := ctxError(ctx, rctx, e.timeout); err != nil {
			return Response{}, err
		}
		return Response{
			ToolCalls:    []ToolCall{call},
			FinishReason: FinishToolCalls,
			Model:        e.model(req),
			Core:         e.name,
			Usage:        Usage{InputTokens: countMessageWords(req.Messages), OutputTokens: 1 + countWords(call.Arguments)},
		}, nil
	}
	lead, pieces := splitWords(lastUserContent(req.Messages))
	finish := "stop"
	if req.MaxTokens > 0 && len(pieces) > req.MaxTokens {
		pieces = pieces[:req.MaxTokens]
		pieces[len(pieces)-1] = strings.TrimRightFunc(pieces[len(pieces)-1], unicode.IsSpace)
		finish = "length"
	}
	resp := Response{
		Model: e.model(req),
		Core:  e.name,
		Usage: Usage{InputTokens: countMessageWords(req.Messages)},
	}
	var text strings.Builder
	emit := func(s string) {
		text.WriteString(s)
		if onChunk != nil && s != "" {
			onChunk(Chunk{Text: s})
		}
	}
	if err := ctxError(ctx, rctx, e.timeout); err != nil {
		return Response{}, err
	}
	emit(EchoPrefix + lead)
	for _, p := range pieces {
		if err := sleep(rctx, e.latency); err != nil {
			resp.Text, resp.FinishReason = text.String(), "canceled"
			return resp, ctxError(ctx, rctx, e.timeout)
		}
		emit(p)
		resp.Usage.OutputTokens++
	}
	resp.Text, resp.FinishReason = text.String(), finish
	return resp, nil
}

func (e *Echo) model(req Request) string {
	switch {
	case req.Model != "":
		return req.Model
	case len(e.models) > 0:
		return e.models[0]
	}
	return EchoName
}

// lastUserContent returns what the echo core repeats: the content of the last user or tool
// message.
func lastUserContent(msgs []Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == "user" || msgs[i].Role == "tool" {
			return msgs[i].Content
		}
	}
	return ""
}

// sleep waits d, or less when ctx ends first; it reports ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
