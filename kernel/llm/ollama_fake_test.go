package llm

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeOllama is a fake of Ollama's /api/chat for unit tests of ollamaCore: a real HTTP server on
// loopback that speaks the documented wire format
// (https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion: one JSON
// object, or an NDJSON stream whose last object has done=true and the counts) but only echoes
// the last user message. It is not a model and nothing outside tests uses it.
//
// Model names choose its behaviour: fakeOllamaModel answers normally; "status-400", "status-429"
// and "status-500" fail with that status and Ollama's {"error": ...} body; "empty-503" fails with
// no body; "error-in-stream" sends an error object after the first word; "cut-short" ends the
// stream without the done object; any other is unknown (404).
type fakeOllama struct {
	url     string
	load    *fakeLoad
	latency time.Duration // before each streamed word, and per word before a whole answer

	mu       sync.Mutex
	requests []fakeOllamaRequest
	headers  []http.Header
}

const fakeOllamaModel = "llama-fake"

// fakeOllamaOverhead is the prompt tokens the fake adds to the words of a request, as a chat
// template does, so that reported usage differs from the word-count estimate.
const fakeOllamaOverhead = 5

// fakeOllamaRequest is the part of a chat request body the fake reads.
type fakeOllamaRequest struct {
	Model    string              `json:"model"`
	Messages []fakeOllamaMessage `json:"messages"`
	Stream   *bool               `json:"stream"`
	Options  map[string]any      `json:"options"`
	Tools    []struct {
		Type     string `json:"type"`
		Function struct {
			Name        string         `json:"name"`
			Description string         `json:"description"`
			Parameters  map[string]any `json:"parameters"`
		} `json:"function"`
	} `json:"tools"`
}

// fakeOllamaMessage is a chat message as Ollama's API writes it: tool call arguments are an
// object, not a string.
type fakeOllamaMessage struct {
	Role      string `json:"role"`
	Content   string `json:"content"`
	ToolCalls []struct {
		ID       string `json:"id"`
		Function struct {
			Name      string         `json:"name"`
			Arguments map[string]any `json:"arguments"`
		} `json:"function"`
	} `json:"tool_calls"`
	ToolCallID string `json:"tool_call_id"`
}

// plain returns the request's messages without their tool calls.
func (req fakeOllamaRequest) plain() []Message {
	out := make([]Message, len(req.Messages))
	for i, m := range req.Messages {
		out[i] = Message{Role: m.Role, Content: m.Content, ToolCallID: m.ToolCallID}
	}
	return out
}

func startFakeOllama(t *testing.T, latency time.Duration) *fakeOllama {
	t.Helper()
	f := &fakeOllama{load: newFakeLoad(), latency: latency}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// seen returns copies of the requests the fake has read and their headers.
func (f *fakeOllama) seen() ([]fakeOllamaRequest, []http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests), slices.Clone(f.headers)
}

func (f *fakeOllama) serve(w http.ResponseWriter, r *http.Request) {
	end := f.load.begin()
	defer end()
	if r.Method == http.MethodPost && r.URL.Path == "/api/embed" {
		f.embed(w, r)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/api/chat" {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "404 page not found"})
		return
	}
	var req fakeOllamaRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.headers = append(f.headers, r.Header.Clone())
	f.mu.Unlock()
	maxWords, ok := numPredict(req.Options)
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `option "num_predict" must be of type integer`})
		return
	}
	switch req.Model {
	case fakeOllamaModel, "error-in-stream", "cut-short":
	case "status-400":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid message format"})
		return
	case "status-429":
		w.Header().Set("Retry-After", "3")
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "server busy, please try again"})
		return
	case "status-500":
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "llama runner process has terminated"})
		return
	case "empty-503":
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": `model "` + req.Model + `" not found, try pulling it first`})
		return
	}
	msgs := req.plain()
	pieces, cut := echoReply(msgs, maxWords)
	final := map[string]any{
		"model": req.Model, "created_at": time.Now().UTC().Format(time.RFC3339Nano),
		"message": map[string]string{"role": "assistant", "content": ""},
		"done":    true, "done_reason": "stop", "total_duration": 4883583458, "load_duration": 1334875,
		"prompt_eval_count": countMessageWords(msgs) + fakeOllamaOverhead, "prompt_eval_duration": 342546000,
		"eval_count": len(pieces), "eval_duration": 4535599000,
	}
	if len(req.Tools) > 0 && msgs[len(msgs)-1].Role == "user" {
		f.toolCall(w, req, final)
		return
	}
	if cut {
		final["done_reason"] = "length"
	}
	if req.Stream != nil && !*req.Stream {
		for range pieces {
			if !f.load.pace(r, f.latency) {
				return
			}
		}
		final["message"] = map[string]string{"role": "assistant", "content": strings.Join(pieces, "")}
		end()
		writeJSON(w, http.StatusOK, final)
		return
	}
	f.stream(w, r, req.Model, pieces, final, end)
}

// stream answers as an NDJSON stream.
func (f *fakeOllama) stream(w http.ResponseWriter, r *http.Request, model string, pieces []string, final map[string]any, end func()) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "the fake cannot stream"})
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	send := func(v any) {
		_ = enc.Encode(v)
		flusher.Flush()
	}
	for i, p := range pieces {
		if !f.load.pace(r, f.latency) {
			return
		}
		send(map[string]any{"model": model, "created_at": time.Now().UTC().Format(time.RFC3339Nano),
			"message": map[string]string{"role": "assistant", "content": p}, "done": false})
		if i == 0 && model == "error-in-stream" {
			end()
			send(map[string]string{"error": "an error was encountered while running the model"})
			return
		}
		if i == 0 && model == "cut-short" {
			end()
			return
		}
	}
	end()
	send(final)
}

// numPredict reads options.num_predict as Ollama does: absent is no limit, and it must be an
// integer.
func numPredict(opts map[string]any) (int, bool) {
	v, present := opts["num_predict"]
	if !present {
		return 0, true
	}
	n, ok := v.(float64)
	if !ok || n != float64(int(n)) {
		return 0, false
	}
	return int(n), true
}
