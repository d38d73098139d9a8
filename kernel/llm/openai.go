package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	remote
	baseURL    string
	chat       openai.ChatCompletionService
	embeddings openai.EmbeddingService
	models     openai.ModelService
}

// newOpenAI returns an openai core for a validated cfg. extra options come after the core's own
// (tests use them to observe requests).
func newOpenAI(cfg CoreConfig, key string, extra ...option.RequestOption) (*openAICore, error) {
	client, err := newHTTPClient(cfg.EffectiveName())
	if err != nil {
		return nil, err
	}
	opts := []option.RequestOption{
		option.WithBaseURL(cfg.BaseURL),
		option.WithHTTPClient(client),
		option.WithAPIKey(key),
		// The dispatcher owns retries, so that every attempt is scheduled and accounted.
		option.WithMaxRetries(0),
	}
	opts = append(opts, extra...)
	c := &openAICore{
		remote:     newRemote(cfg),
		baseURL:    cfg.BaseURL,
		chat:       openai.NewChatCompletionService(opts...),
		embeddings: openai.NewEmbeddingService(opts...),
		models:     openai.NewModelService(opts...),
	}
	c.windows.ask = c.askWindow
	c.probeURL = strings.TrimRight(cfg.BaseURL, "/") + "/models"
	c.client = client
	return c, nil
}

// Generate implements Core. It streams when onChunk is not nil, asking the server to report usage
// at the end of the stream. When ctx ends mid-stream, it returns ctx's error together with the
// text received so far and finish reason "canceled".
func (c *openAICore) Generate(ctx context.Context, req Request, onChunk func(Chunk)) (Response, error) {
	params, err := c.params(req)
	if err != nil {
		return Response{}, err
	}
	return c.generate(ctx, req, params.Model, func(ctx context.Context) (Response, error) {
		if onChunk == nil {
			return c.complete(ctx, params)
		}
		return c.stream(ctx, params, onChunk)
	}, c.explain)
}

func (c *openAICore) params(req Request) (openai.ChatCompletionNewParams, error) {
	var p openai.ChatCompletionNewParams
	model, err := c.model(req)
	if err != nil {
		return p, err
	}
	p.Model = model
	for _, m := range req.Messages {
		p.Messages = append(p.Messages, openAIMessage(m))
	}
	openAITools(&p, req)
	if req.MaxTokens > 0 {
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
		ToolCalls:    openAIToolCalls(out.Choices[0].Message.ToolCalls),
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
		resp  Response
		text  strings.Builder
		calls toolCallDeltas
	)
	text.Grow(textReserve)
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
		calls.add(ch.Choices[0].Delta.ToolCalls)
		if r := ch.Choices[0].FinishReason; r != "" {
			resp.FinishReason = finishReason(r)
		}
	}
	resp.Text = text.String()
	resp.ToolCalls = calls.calls()
	if err := s.Err(); err != nil {
		return resp, err
	}
	if resp.FinishReason == "" {
		// Every complete stream ends with a chunk that carries a finish reason; a stream that
		// ended without one was cut off (or was not a stream at all).
		return resp, fmt.Errorf("stream ended without a finish reason: %w", io.ErrUnexpectedEOF)
	}
	return resp, nil
}

// finishReason maps the API's finish reasons onto the ABI's "stop", "length" and
// "tool_calls" (the deprecated "function_call" included).
func finishReason(r string) string {
	switch r {
	case "length":
		return "length"
	case "tool_calls", "function_call":
		return FinishToolCalls
	}
	return "stop"
}

// explain turns an SDK error into one that says what failed, keeping the SDK's error wrapped.
func (c *openAICore) explain(err error) error {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		se := &StatusError{Status: apiErr.StatusCode, Message: apiErr.Message, Err: err}
		if apiErr.Response != nil {
			se.After = retryAfter(apiErr.Response.Header, time.Now())
		}
		return se
	}
	return requestFailed(c.baseURL, err)
}
