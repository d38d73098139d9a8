package kernelbench

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/aiosys/aios/kernel/llm"
)

// Direct calls an OpenAI-compatible server the way the kernel's openai core does (streaming,
// usage reported at the end, one attempt, a clone of the default transport keeping 256 idle
// connections), without a kernel:
// the baseline an agent without an OS would be.
type Direct struct {
	chat openai.ChatCompletionService
}

// NewDirect returns a Direct client for the API root baseURL, e.g. "http://127.0.0.1:8000/v1".
func NewDirect(baseURL string) (*Direct, error) {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("direct client: the default HTTP transport is not an *http.Transport")
	}
	t = t.Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 256
	chat := openai.NewChatCompletionService(
		option.WithBaseURL(baseURL),
		option.WithHTTPClient(&http.Client{Transport: t}),
		option.WithAPIKey("none"),
		option.WithMaxRetries(0),
	)
	return &Direct{chat: chat}, nil
}

// Generate sends req as one streamed chat completion and returns the usage the server reports.
// onChunk, if not nil, is called for every piece of text as it arrives.
func (d *Direct) Generate(ctx context.Context, req llm.Request, onChunk func(llm.Chunk)) (llm.Usage, error) {
	p := openai.ChatCompletionNewParams{Model: req.Model}
	for _, m := range req.Messages {
		p.Messages = append(p.Messages, openai.UserMessage(m.Content))
	}
	if req.MaxTokens > 0 {
		p.MaxTokens = openai.Int(int64(req.MaxTokens))
	}
	p.StreamOptions.IncludeUsage = openai.Bool(true)
	s := d.chat.NewStreaming(ctx, p)
	defer s.Close()
	var u llm.Usage
	for s.Next() {
		ch := s.Current()
		if ch.JSON.Usage.Valid() {
			u = llm.Usage{InputTokens: int(ch.Usage.PromptTokens), OutputTokens: int(ch.Usage.CompletionTokens)}
		}
		if onChunk != nil && len(ch.Choices) > 0 && ch.Choices[0].Delta.Content != "" {
			onChunk(llm.Chunk{Text: ch.Choices[0].Delta.Content})
		}
	}
	if err := s.Err(); err != nil {
		return u, fmt.Errorf("direct generate: %w", err)
	}
	return u, nil
}

// IsRateLimited reports whether err is the server's 429 Too Many Requests.
func IsRateLimited(err error) bool {
	var apiErr *openai.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests
}
