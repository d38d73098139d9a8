package dispatch

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aiosys/aios/kernel/llm"
)

// typist is a deterministic streaming core. Its answer to a prompt is a fixed run of words,
// typed one every pace, at most max_tokens of them; it stops as soon as its ctx ends. Given an
// assistant message that holds a prefix of the answer, it types only the rest, as a
// continuation must. Usage counts words: every message's as input, the typed ones as output.
type typist struct {
	pace  time.Duration
	words int // words in every answer
	// gate, if not nil, holds calls for the prompt gated after their first word until it closes.
	gate  chan struct{}
	gated string

	mu    sync.Mutex
	calls []string // the prompt of every call, in the order they started
}

func (c *typist) Name() string     { return "typist" }
func (c *typist) Models() []string { return nil }

// typedAnswer is the typist's whole answer to prompt.
func typedAnswer(prompt string, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = fmt.Sprintf("%s%d", prompt, i)
	}
	return strings.Join(ws, " ")
}

func (c *typist) Generate(ctx context.Context, req llm.Request, onChunk func(llm.Chunk)) (llm.Response, error) {
	prompt := req.Messages[0].Content
	c.mu.Lock()
	c.calls = append(c.calls, prompt)
	c.mu.Unlock()
	text, in := typedAnswer(prompt, c.words), 0
	for _, m := range req.Messages {
		in += words(m.Content)
	}
	if last := req.Messages[len(req.Messages)-1]; last.Role == "assistant" {
		if !strings.HasPrefix(text, last.Content) {
			return llm.Response{}, fmt.Errorf("typist: %q does not continue %q", last.Content, text)
		}
		text = text[len(last.Content):]
	}
	var typed strings.Builder
	finish := "stop"
	for i, w := range strings.SplitAfter(text, " ") {
		if i == req.MaxTokens {
			finish = "length"
			break
		}
		select {
		case <-ctx.Done():
			return llm.Response{}, ctx.Err()
		case <-time.After(c.pace):
		}
		typed.WriteString(w)
		if onChunk != nil {
			onChunk(llm.Chunk{Text: w})
		}
		if i == 0 && c.gate != nil && prompt == c.gated {
			select {
			case <-ctx.Done():
				return llm.Response{}, ctx.Err()
			case <-c.gate:
			}
		}
	}
	return llm.Response{Text: typed.String(), FinishReason: finish, Model: req.Model,
		Usage: llm.Usage{InputTokens: in, OutputTokens: words(typed.String())}}, nil
}

// callsOf returns how many calls were made for prompt.
func (c *typist) callsOf(prompt string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, p := range c.calls {
		if p == prompt {
			n++
		}
	}
	return n
}

func (c *typist) callLog() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.calls...)
}

func typed(prompt string, maxTokens int) llm.Request {
	return llm.Request{Messages: []llm.Message{{Role: "user", Content: prompt}}, MaxTokens: maxTokens}
}
