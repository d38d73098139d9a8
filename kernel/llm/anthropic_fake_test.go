package llm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAnthropic is a fake of Anthropic's Messages API for unit tests of anthropicCore: a real
// HTTP server on loopback that speaks the documented wire format
// (https://docs.anthropic.com/en/api/messages, .../en/docs/build-with-claude/streaming,
// .../en/api/errors) but only echoes the last user message. It is not a model and nothing
// outside tests uses it.
//
// Model names choose its behaviour: fakeAnthropicModel answers normally; "status-429" and
// "status-500" fail with that status; "overloaded-in-stream" sends an error event after the
// first word; "cut-short" drops the connection before message_stop; any other is unknown (404).
// A request that forces a tool (tool_choice type "tool") gets a tool_use block calling it with
// fakeToolInput.
type fakeAnthropic struct {
	url     string
	load    *fakeLoad
	latency time.Duration // before each streamed word, and per word before a whole answer
	key     string        // the x-api-key it requires; empty requires none

	mu       sync.Mutex
	requests []fakeAnthropicRequest
	headers  []http.Header
}

const fakeAnthropicModel = "claude-fake"

// fakeAnthropicOverhead is the input tokens the fake adds to the words of a request, as a real
// model's prompt format does, so that reported usage differs from the word-count estimate.
const fakeAnthropicOverhead = 3

// fakeAnthropicRequest is the part of a Messages API request body the fake reads.
type fakeAnthropicRequest struct {
	Model     string `json:"model"`
	MaxTokens *int   `json:"max_tokens"`
	System    []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"system"`
	Messages []struct {
		Role    string `json:"role"`
		Content []struct {
			Type      string          `json:"type"`
			Text      string          `json:"text"`
			ID        string          `json:"id"`          // tool_use
			Name      string          `json:"name"`        // tool_use
			Input     json.RawMessage `json:"input"`       // tool_use
			ToolUseID string          `json:"tool_use_id"` // tool_result
			Content   json.RawMessage `json:"content"`     // tool_result
		} `json:"content"`
	} `json:"messages"`
	Temperature *float64 `json:"temperature"`
	Stream      bool     `json:"stream"`
	Tools       []struct {
		Name        string         `json:"name"`
		Description string         `json:"description"`
		InputSchema map[string]any `json:"input_schema"`
	} `json:"tools"`
	ToolChoice *struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"tool_choice"`
}

func startFakeAnthropic(t *testing.T, latency time.Duration, key string) *fakeAnthropic {
	t.Helper()
	f := &fakeAnthropic{load: newFakeLoad(), latency: latency, key: key}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func (f *fakeAnthropic) serve(w http.ResponseWriter, r *http.Request) {
	end := f.load.begin()
	defer end()
	w.Header().Set("request-id", "req_fake")
	if r.Method != http.MethodPost || r.URL.Path != "/v1/messages" {
		anthropicFail(w, http.StatusNotFound, "not_found_error", "Not found: "+r.Method+" "+r.URL.Path)
		return
	}
	var req fakeAnthropicRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		anthropicFail(w, http.StatusBadRequest, "invalid_request_error", "invalid JSON: "+err.Error())
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.headers = append(f.headers, r.Header.Clone())
	f.mu.Unlock()
	if msg := f.refuse(r, req); msg != "" {
		status, typ := http.StatusBadRequest, "invalid_request_error"
		if strings.Contains(msg, "x-api-key") {
			status, typ = http.StatusUnauthorized, "authentication_error"
		}
		anthropicFail(w, status, typ, msg)
		return
	}
	switch req.Model {
	case fakeAnthropicModel, "overloaded-in-stream", "cut-short":
	case "status-429":
		w.Header().Set("retry-after", "2")
		anthropicFail(w, http.StatusTooManyRequests, "rate_limit_error", "Number of requests has exceeded your rate limit")
		return
	case "status-500":
		anthropicFail(w, http.StatusInternalServerError, "api_error", "Internal server error")
		return
	default:
		anthropicFail(w, http.StatusNotFound, "not_found_error", "model: "+req.Model)
		return
	}
	if c := req.ToolChoice; c != nil && c.Type == "tool" {
		f.toolUse(w, r, req, end)
		return
	}
	msgs := req.messages()
	pieces, cut := echoReply(msgs, *req.MaxTokens)
	usage := map[string]int{
		"input_tokens":                countMessageWords(msgs) + fakeAnthropicOverhead,
		"cache_creation_input_tokens": 1,
		"cache_read_input_tokens":     2,
		"output_tokens":               len(pieces),
	}
	stop := "end_turn"
	if cut {
		stop = "max_tokens"
	}
	if req.Stream {
		f.stream(w, r, req.Model, pieces, stop, usage, end)
		return
	}
	for range pieces {
		if !f.load.pace(r, f.latency) {
			return
		}
	}
	end()
	writeJSON(w, http.StatusOK, map[string]any{
		"id": "msg_fake", "type": "message", "role": "assistant", "model": req.Model,
		"content":     []map[string]string{{"type": "text", "text": strings.Join(pieces, "")}},
		"stop_reason": stop, "stop_sequence": nil, "usage": usage,
	})
}

// seen returns copies of the requests the fake has read and their headers.
func (f *fakeAnthropic) seen() ([]fakeAnthropicRequest, []http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests), slices.Clone(f.headers)
}

// refuse returns the API's complaint about a request it would not serve, or "".
func (f *fakeAnthropic) refuse(r *http.Request, req fakeAnthropicRequest) string {
	switch {
	case f.key != "" && r.Header.Get("x-api-key") != f.key:
		return "invalid x-api-key"
	case r.Header.Get("anthropic-version") == "":
		return "anthropic-version: header is required"
	case req.MaxTokens == nil:
		return "max_tokens: Field required"
	case *req.MaxTokens < 1:
		return "max_tokens: must be at least 1"
	case len(req.Messages) == 0:
		return "messages: at least one message is required"
	case req.Temperature != nil && (*req.Temperature < 0 || *req.Temperature > 1):
		return fmt.Sprintf("temperature: range: 0..1, got %g", *req.Temperature)
	}
	for i, m := range req.Messages {
		if m.Role != "user" && m.Role != "assistant" {
			return fmt.Sprintf("messages.%d.role: Input should be 'user' or 'assistant'", i)
		}
	}
	return ""
}

// messages returns the request's conversation in our own form, system messages first.
func (req fakeAnthropicRequest) messages() []Message {
	var out []Message
	for _, s := range req.System {
		out = append(out, Message{Role: "system", Content: s.Text})
	}
	for _, m := range req.Messages {
		var text strings.Builder
		for _, c := range m.Content {
			text.WriteString(c.Text)
		}
		out = append(out, Message{Role: m.Role, Content: text.String()})
	}
	return out
}

// stream answers as a Messages API event stream.
func (f *fakeAnthropic) stream(w http.ResponseWriter, r *http.Request, model string, pieces []string,
	stop string, usage map[string]int, end func()) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		anthropicFail(w, http.StatusInternalServerError, "api_error", "the fake cannot stream")
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	send := func(event string, data any) {
		b, _ := json.Marshal(data)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
		flusher.Flush()
	}
	start := map[string]int{"input_tokens": usage["input_tokens"], "output_tokens": 1,
		"cache_creation_input_tokens": usage["cache_creation_input_tokens"],
		"cache_read_input_tokens":     usage["cache_read_input_tokens"]}
	send("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": "msg_fake", "type": "message", "role": "assistant", "model": model, "content": []any{},
		"stop_reason": nil, "stop_sequence": nil, "usage": start}})
	send("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
		"content_block": map[string]string{"type": "text", "text": ""}})
	send("ping", map[string]string{"type": "ping"})
	for i, p := range pieces {
		if !f.load.pace(r, f.latency) {
			return
		}
		send("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
			"delta": map[string]string{"type": "text_delta", "text": p}})
		if i == 0 && model == "overloaded-in-stream" {
			end()
			send("error", map[string]any{"type": "error", "error": map[string]string{"type": "overloaded_error", "message": "Overloaded"}})
			return
		}
		if i == 0 && model == "cut-short" {
			end()
			return
		}
	}
	send("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0})
	send("message_delta", map[string]any{"type": "message_delta",
		"delta": map[string]any{"stop_reason": stop, "stop_sequence": nil},
		"usage": map[string]int{"output_tokens": usage["output_tokens"]}})
	end()
	send("message_stop", map[string]string{"type": "message_stop"})
}

// anthropicFail answers with the API's error object.
func anthropicFail(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, map[string]any{"type": "error", "error": map[string]string{"type": typ, "message": msg},
		"request_id": "req_fake"})
}
