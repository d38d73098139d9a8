package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// openAICore talks to a server that speaks the OpenAI chat completions API.
//
// It is built from the SDK's chat completion service alone, not openai.NewClient, so that no
// OPENAI_* environment variable can redirect it or add credentials: its base URL and key come
// only from its CoreConfig.
type openAICore struct {
	name    string
	baseURL string
	models  []string
	timeout time.Duration
	slots   slots
	chat    openai.ChatCompletionService
}

// newOpenAI returns an openai core for a validated cfg. extra options come after the core's own
// (tests use them to observe requests).
func newOpenAI(cfg CoreConfig, key string, extra ...option.RequestOption) (*openAICore, error) {
	transport, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("core %q: the default HTTP transport is not an *http.Transport", cfg.EffectiveName())
	}
	opts := []option.RequestOption{
		option.WithBaseURL(cfg.BaseURL),
		option.WithHTTPClient(&http.Client{Transport: transport.Clone()}),
		option.WithAPIKey(key),
		// The dispatcher owns retries, so that every attempt is scheduled and accounted.
		option.WithMaxRetries(0),
	}
	return &openAICore{
		name:    cfg.EffectiveName(),
		baseURL: cfg.BaseURL,
		models:  slices.Clone(cfg.Models),
		timeout: cfg.Timeout,
		slots:   newSlots(cfg.Capacity),
		chat:    openai.NewChatCompletionService(append(opts, extra...)...),
	}, nil
}

// Name implements Core.
func (c *openAICore) Name() string { return c.name }

// Models implements Core.
func (c *openAICore) Models() []string { return slices.Clone(c.models) }

// Generate implements Core. It streams when onChunk is not nil, asking the server to report usage
// at the end of the stream. When ctx ends mid-stream, it returns ctx's error together with the
// text received so far and finish reason "canceled".
func (c *openAICore) Generate(ctx context.Context, req Request, onChunk func(Chunk)) (Response, error) {
	params, err := c.params(req)
	if err != nil {
		return Response{}, err
	}
	if err := c.slots.acquire(ctx); err != nil {
		return Response{}, err
	}
	defer c.slots.release()
	rctx, cancel := withTimeout(ctx, c.timeout)
	defer cancel()

	var resp Response
	if onChunk == nil {
		resp, err = c.complete(rctx, params)
	} else {
		resp, err = c.stream(rctx, params, onChunk)
	}
	resp.Core = c.name
	if resp.Model == "" {
		resp.Model = params.Model
	}
	if err != nil {
		if cerr := ctxError(ctx, rctx, c.timeout); cerr != nil {
			resp.FinishReason = "canceled"
			return resp, cerr
		}
		return Response{}, c.explain(err)
	}
	if resp.Usage == (Usage{}) {
		// A server that reports no usage would otherwise make the generation free.
		resp.Usage = Usage{InputTokens: countMessageWords(req.Messages), OutputTokens: countWords(resp.Text)}
	}
	return resp, nil
}

func (c *openAICore) params(req Request) (openai.ChatCompletionNewParams, error) {
	var p openai.ChatCompletionNewParams
	p.Model = req.Model
	if p.Model == "" {
		if len(c.models) == 0 {
			return p, fmt.Errorf("%w: the request names no model and the core lists none", ErrBadRequest)
		}
		p.Model = c.models[0]
	}
	if len(req.Messages) == 0 {
		return p, fmt.Errorf("%w: a request needs at least one message", ErrBadRequest)
	}
	for i, m := range req.Messages {
		switch m.Role {
		case "system":
			p.Messages = append(p.Messages, openai.SystemMessage(m.Content))
		case "user":
			p.Messages = append(p.Messages, openai.UserMessage(m.Content))
		case "assistant":
			p.Messages = append(p.Messages, openai.AssistantMessage(m.Content))
		default:
			return p, fmt.Errorf("%w: messages[%d] has role %q (want system, user or assistant)", ErrBadRequest, i, m.Role)
		}
	}
	switch {
	case req.MaxTokens < 0:
		return p, fmt.Errorf("%w: max_tokens %d is negative", ErrBadRequest, req.MaxTokens)
	case req.MaxTokens > 0:
		// max_tokens, not max_completion_tokens: every OpenAI-compatible server accepts it.
		p.MaxTokens = openai.Int(int64(req.MaxTokens))
	}
	if req.Temperature != nil {
		p.Temperature = openai.Float(*req.Temperature)
	}
	return p, nil
}

func (c *openAICore) complete(ctx context.Context, p openai.ChatCompletionNewParams) (Response, error) {
	out, err := c.chat.New(ctx, p)
	if err != nil {
		return Response{}, err
	}
	if len(out.Choices) == 0 {
		return Response{}, errors.New("the backend answered with no choices")
	}
	return Response{
		Text:         out.Choices[0].Message.Content,
		FinishReason: finishReason(out.Choices[0].FinishReason),
		Model:        out.Model,
		Usage:        Usage{InputTokens: int(out.Usage.PromptTokens), OutputTokens: int(out.Usage.CompletionTokens)},
	}, nil
}

func (c *openAICore) stream(ctx context.Context, p openai.ChatCompletionNewParams, onChunk func(Chunk)) (Response, error) {
	p.StreamOptions.IncludeUsage = openai.Bool(true)
	s := c.chat.NewStreaming(ctx, p)
	defer s.Close()
	var (
		resp Response
		text strings.Builder
	)
	for s.Next() {
		ch := s.Current()
		if resp.Model == "" {
			resp.Model = ch.Model
		}
		if ch.JSON.Usage.Valid() {
			resp.Usage = Usage{InputTokens: int(ch.Usage.PromptTokens), OutputTokens: int(ch.Usage.CompletionTokens)}
		}
		if len(ch.Choices) == 0 {
			continue
		}
		if d := ch.Choices[0].Delta.Content; d != "" {
			text.WriteString(d)
			onChunk(Chunk{Text: d})
		}
		if r := ch.Choices[0].FinishReason; r != "" {
			resp.FinishReason = finishReason(r)
		}
	}
	resp.Text = text.String()
	if err := s.Err(); err != nil {
		return resp, err
	}
	if resp.FinishReason == "" {
		resp.FinishReason = "stop"
	}
	return resp, nil
}

// finishReason maps the API's finish reasons onto ABI v1's "stop" and "length".
func finishReason(r string) string {
	if r == "length" {
		return "length"
	}
	return "stop"
}

// explain turns an SDK error into one that says what failed, keeping the SDK's error wrapped.
func (c *openAICore) explain(err error) error {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		return &StatusError{Status: apiErr.StatusCode, Message: apiErr.Message, Err: err}
	}
	return fmt.Errorf("request to %s failed: %w", c.baseURL, err)
}
