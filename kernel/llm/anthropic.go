package llm

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
)

// DefaultAnthropicMaxTokens is the max_tokens an anthropic core sends when a request sets none:
// the Messages API requires the field, while ABI v1 lets a guest leave it out.
const DefaultAnthropicMaxTokens = 1024

// anthropicCore talks to Anthropic's Messages API (https://docs.anthropic.com/en/api/messages).
//
// It is built from the SDK's message service alone, not anthropic.NewClient, so that no
// ANTHROPIC_* environment variable or credential profile can redirect it, add credentials or
// switch on tracing: its base URL and key come only from its CoreConfig.
//
// # Notes
//
//   - System messages become the request's system parameter, in order, wherever they stand in
//     the conversation: the Messages API has no system turns.
//   - Input tokens include those written to and read from the prompt cache, which the API
//     counts apart from input_tokens.
type anthropicCore struct {
	remote
	baseURL  string
	messages anthropic.MessageService
}

// newAnthropic returns an anthropic core for a validated cfg.
func newAnthropic(cfg CoreConfig, key string) (*anthropicCore, error) {
	client, err := newHTTPClient(cfg.EffectiveName())
	if err != nil {
		return nil, err
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultAnthropicBaseURL
	}
	opts := []option.RequestOption{
		option.WithBaseURL(base),
		option.WithHTTPClient(client),
		// The dispatcher owns retries, so that every attempt is scheduled and accounted.
		option.WithMaxRetries(0),
		option.WithoutOpenTelemetry(),
	}
	if key != "" {
		opts = append(opts, option.WithAPIKey(key))
	}
	c := &anthropicCore{
		remote:   newRemote(cfg),
		baseURL:  base,
		messages: anthropic.NewMessageService(opts...),
	}
	c.probeURL = strings.TrimRight(base, "/") + "/v1/models"
	c.client = client
	return c, nil
}

// Generate implements Core. It streams when onChunk is not nil; usage then comes from the
// message_start and message_delta events. When ctx ends mid-stream, it returns ctx's error
// together with the text received so far and finish reason "canceled".
//
// Without onChunk it asks for the whole message at once, unless max_tokens is so large that the
// SDK refuses a non-streaming request (it could outlast the API's ten-minute limit): then it
// streams and keeps the chunks to itself.
func (c *anthropicCore) Generate(ctx context.Context, req Request, onChunk func(Chunk)) (Response, error) {
	params, err := c.params(req)
	if err != nil {
		return Response{}, err
	}
	if onChunk == nil {
		if _, err := anthropic.CalculateNonStreamingTimeout(int(params.MaxTokens), params.Model, nil); err != nil {
			onChunk = func(Chunk) {}
		}
	}
	return c.generate(ctx, req, string(params.Model), func(ctx context.Context) (Response, error) {
		if onChunk == nil {
			return c.complete(ctx, params)
		}
		return c.stream(ctx, params, onChunk)
	}, c.explain)
}

func (c *anthropicCore) params(req Request) (anthropic.MessageNewParams, error) {
	var p anthropic.MessageNewParams
	model, err := c.model(req)
	if err != nil {
		return p, err
	}
	p.Model = anthropic.Model(model)
	p.MaxTokens = DefaultAnthropicMaxTokens
	if req.MaxTokens > 0 {
		p.MaxTokens = int64(req.MaxTokens)
	}
	for _, m := range req.Messages {
		if m.Role == "system" {
			p.System = append(p.System, anthropic.TextBlockParam{Text: m.Content})
		}
	}
	p.Messages = anthropicTurns(req.Messages)
	anthropicTools(&p, req)
	if len(p.Messages) == 0 {
		return p, fmt.Errorf("%w: the Messages API needs a user or assistant message besides system messages", ErrBadRequest)
	}
	if req.Temperature != nil {
		p.Temperature = anthropic.Float(*req.Temperature)
	}
	return p, nil
}

func (c *anthropicCore) complete(ctx context.Context, p anthropic.MessageNewParams) (Response, error) {
	msg, err := c.messages.New(ctx, p)
	if err != nil {
		return Response{}, err
	}
	var (
		text  strings.Builder
		calls []ToolCall
	)
	for _, block := range msg.Content {
		switch block.Type {
		case "text":
			text.WriteString(block.Text)
		case "tool_use":
			calls = append(calls, ToolCall{ID: block.ID, Name: block.Name, Arguments: argumentsOrEmpty(string(block.Input))})
		}
	}
	u := msg.Usage
	return Response{
		Text:         text.String(),
		ToolCalls:    calls,
		FinishReason: anthropicFinishReason(msg.StopReason),
		Model:        string(msg.Model),
		Usage: Usage{
			InputTokens:  int(u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens),
			OutputTokens: int(u.OutputTokens),
		},
	}, nil
}

// anthropicFinishReason maps the API's stop reasons onto the ABI's "stop", "length" and
// "tool_calls": a reply cut by max_tokens or by the context window is "length", one that ends
// asking for tools "tool_calls", any other end is "stop".
func anthropicFinishReason(r anthropic.StopReason) string {
	switch r {
	case anthropic.StopReasonMaxTokens, anthropic.StopReasonModelContextWindowExceeded:
		return "length"
	case anthropic.StopReasonToolUse:
		return FinishToolCalls
	}
	return "stop"
}

// explain turns an SDK error into one that says what failed, keeping the SDK's error wrapped.
func (c *anthropicCore) explain(err error) error {
	var apiErr *anthropic.Error
	if errors.As(err, &apiErr) {
		return anthropicStatusError(apiErr)
	}
	return requestFailed(c.baseURL, err)
}
