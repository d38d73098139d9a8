package dispatch

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/aiosys/aios/kernel/llm"
)

// testCore is a deterministic in-test backend. Its answer to a prompt is fixed; given an
// assistant message holding a prefix of that answer, it continues after the prefix. It can be
// told to fail, to block, to cut its stream short, or to take a while.
type testCore struct {
	name   string
	models []string
	// fail returns the error for call n (1-based), or nil to answer.
	fail func(n int) error
	// cut, if > 0, makes call 1 stream that many words and then fail mid-stream with err.
	cut    int
	cutErr error
	// hold makes each call wait until its ctx ends, then linger before returning.
	hold    bool
	linger  time.Duration
	started chan string // receives the model asked for as each call begins, if not nil

	mu          sync.Mutex
	calls       int
	inflight    int
	maxInflight int
	times       []time.Time
	asked       []string
	prompts     []string // the last message of each call, in the order the calls began
	canceled    int
}

func (c *testCore) Name() string     { return c.name }
func (c *testCore) Models() []string { return c.models }

func answer(req llm.Request) string {
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if m := req.Messages[i]; m.Role == "user" {
			return "you said " + m.Content + " and I answer at length with several words"
		}
	}
	return "nothing to say"
}

func words(s string) int { return len(strings.Fields(s)) }

func (c *testCore) Generate(ctx context.Context, req llm.Request, onChunk func(llm.Chunk)) (llm.Response, error) {
	c.mu.Lock()
	c.calls++
	n := c.calls
	c.inflight++
	c.maxInflight = max(c.maxInflight, c.inflight)
	c.times = append(c.times, time.Now())
	c.asked = append(c.asked, req.Model)
	c.prompts = append(c.prompts, req.Messages[len(req.Messages)-1].Content)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.inflight--
		c.mu.Unlock()
	}()
	if c.started != nil {
		c.started <- req.Model
	}
	if c.hold {
		<-ctx.Done()
		c.mu.Lock()
		c.canceled++
		c.mu.Unlock()
		time.Sleep(c.linger)
		return llm.Response{}, ctx.Err()
	}
	if c.fail != nil {
		if err := c.fail(n); err != nil {
			return llm.Response{}, err
		}
	}
	full := answer(req)
	text := full
	in := 0
	for _, m := range req.Messages {
		in += words(m.Content)
	}
	if last := req.Messages[len(req.Messages)-1]; last.Role == "assistant" {
		text = strings.TrimPrefix(full, last.Content)
	}
	ws := strings.SplitAfter(text, " ")
	for i, w := range ws {
		if c.cut > 0 && n == 1 && i == c.cut {
			return llm.Response{}, c.cutErr
		}
		if onChunk != nil && w != "" {
			onChunk(llm.Chunk{Text: w})
		}
	}
	return llm.Response{Text: text, FinishReason: "stop", Model: req.Model,
		Usage: llm.Usage{InputTokens: in, OutputTokens: words(text)}}, nil
}

func (c *testCore) stats() (calls, maxInflight int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls, c.maxInflight
}

func ask(prompt string) llm.Request {
	return llm.Request{Messages: []llm.Message{{Role: "user", Content: prompt}}, MaxTokens: 50}
}

func as(agent string) context.Context {
	return WithCaller(context.Background(), Caller{Agent: agent})
}
