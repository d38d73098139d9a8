package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
)

// ollamaCore talks to an Ollama server through its own chat API
// (https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion) with
// Ollama's api package.
//
// # Notes
//
//   - The api package signs requests with ~/.ollama/id_ed25519 when the environment sets
//     OLLAMA_AUTH or the host is ollama.com, and there is no way to turn that off. The core's
//     transport replaces any Authorization header with its own key (a bearer token) or removes
//     it, so no ambient credential reaches the server; such a request still fails if the key
//     file is missing.
//   - Ollama reports usage as prompt_eval_count and eval_count in its final object; a prompt
//     served from Ollama's cache may count fewer input tokens than the prompt holds.
//   - The api package gives every call an 8 MB line buffer; Capacity bounds how many exist.
type ollamaCore struct {
	remote
	base      *url.URL
	key       string
	transport http.RoundTripper
}

// newOllama returns an ollama core for a validated cfg.
func newOllama(cfg CoreConfig, key string) (*ollamaCore, error) {
	raw := cfg.BaseURL
	if raw == "" {
		raw = DefaultOllamaBaseURL
	}
	base, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("core %q: base_url: %w", cfg.EffectiveName(), err)
	}
	client, err := newHTTPClient(cfg.EffectiveName())
	if err != nil {
		return nil, err
	}
	c := &ollamaCore{remote: newRemote(cfg), base: base, key: key, transport: client.Transport}
	c.windows.ask = c.askWindow
	c.probeURL = strings.TrimRight(raw, "/") + "/api/version"
	c.client = client
	return c, nil
}

// Generate implements Core. It streams when onChunk is not nil. When ctx ends mid-stream, it
// returns ctx's error together with the text received so far and finish reason "canceled".
func (c *ollamaCore) Generate(ctx context.Context, req Request, onChunk func(Chunk)) (Response, error) {
	chat, err := c.chatRequest(req, onChunk != nil)
	if err != nil {
		return Response{}, err
	}
	return c.generate(ctx, req, chat.Model, func(ctx context.Context) (Response, error) {
		return c.chat(ctx, chat, onChunk)
	}, c.explain)
}

func (c *ollamaCore) chatRequest(req Request, stream bool) (*api.ChatRequest, error) {
	model, err := c.model(req)
	if err != nil {
		return nil, err
	}
	chat := &api.ChatRequest{Model: model, Stream: &stream, Options: map[string]any{}}
	for _, m := range req.Messages {
		msg, err := ollamaMessage(m)
		if err != nil {
			return nil, err
		}
		chat.Messages = append(chat.Messages, msg)
	}
	if chat.Tools, err = ollamaTools(req); err != nil {
		return nil, err
	}
	if req.MaxTokens > 0 {
		chat.Options["num_predict"] = req.MaxTokens
	}
	if req.Temperature != nil {
		chat.Options["temperature"] = *req.Temperature
	}
	return chat, nil
}

// chat runs one /api/chat call. Without onChunk the server answers with one object; with it, an
// NDJSON stream whose last object has done set and carries the counts.
func (c *ollamaCore) chat(ctx context.Context, chat *api.ChatRequest, onChunk func(Chunk)) (Response, error) {
	x := &exchange{next: c.transport, host: c.base.Host, key: c.key}
	client := api.NewClient(c.base, &http.Client{Transport: x})
	var (
		resp Response
		text strings.Builder
		done bool
	)
	err := client.Chat(ctx, chat, func(r api.ChatResponse) error {
		if resp.Model == "" {
			resp.Model = r.Model
		}
		if d := r.Message.Content; d != "" {
			text.WriteString(d)
			if onChunk != nil {
				onChunk(Chunk{Text: d})
			}
		}
		calls, err := ollamaToolCalls(r.Message.ToolCalls, len(resp.ToolCalls))
		if err != nil {
			return err
		}
		resp.ToolCalls = append(resp.ToolCalls, calls...)
		if r.Done {
			done = true
			switch {
			case r.DoneReason == "length":
				resp.FinishReason = "length"
			case len(resp.ToolCalls) > 0:
				resp.FinishReason = FinishToolCalls
			default:
				resp.FinishReason = "stop"
			}
			resp.Usage = Usage{InputTokens: r.PromptEvalCount, OutputTokens: r.EvalCount}
		}
		return nil
	})
	resp.Text = text.String()
	switch {
	case err != nil:
		return resp, x.explain(err)
	case done:
		return resp, nil
	case x.status >= http.StatusBadRequest:
		// The api package reports nothing for an error answer with an empty body.
		return resp, &StatusError{Status: x.status, After: retryAfter(x.header, time.Now())}
	default:
		// The api package also ends quietly when the connection drops mid-stream.
		return resp, fmt.Errorf("the response ended before its final (done) object: %w", io.ErrUnexpectedEOF)
	}
}

// explain turns a failure that is not already a StatusError into one that names the server.
func (c *ollamaCore) explain(err error) error {
	var se *StatusError
	if errors.As(err, &se) {
		return err
	}
	return requestFailed(c.base.String(), err)
}
