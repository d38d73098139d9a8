package llm

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// fakeToolInput is the input the fakes give every tool call they make, sent in two pieces
// when streamed.
var fakeToolInput = [2]string{`{"city":`, `"Oslo"}`}

// toolUse answers a request that forces a tool with one tool_use block, as a message or as an
// event stream with the input in input_json_delta pieces.
func (f *fakeAnthropic) toolUse(w http.ResponseWriter, r *http.Request, req fakeAnthropicRequest, end func()) {
	name := req.ToolChoice.Name
	usage := map[string]int{"input_tokens": countMessageWords(req.messages()) + fakeAnthropicOverhead, "output_tokens": 5}
	defer end()
	if !req.Stream {
		writeJSON(w, http.StatusOK, map[string]any{
			"id": "msg_fake", "type": "message", "role": "assistant", "model": req.Model,
			"content": []map[string]any{
				{"type": "text", "text": "Let me look."},
				{"type": "tool_use", "id": "toolu_1", "name": name, "input": json.RawMessage(fakeToolInput[0] + fakeToolInput[1])},
			},
			"stop_reason": "tool_use", "stop_sequence": nil, "usage": usage,
		})
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		anthropicFail(w, http.StatusInternalServerError, "api_error", "the fake cannot stream")
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	send := func(event string, data any) {
		b, _ := json.Marshal(data)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
		flusher.Flush()
	}
	send("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": "msg_fake", "type": "message", "role": "assistant", "model": req.Model, "content": []any{},
		"stop_reason": nil, "stop_sequence": nil, "usage": map[string]int{"input_tokens": usage["input_tokens"], "output_tokens": 1}}})
	send("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
		"content_block": map[string]any{"type": "tool_use", "id": "toolu_1", "name": name, "input": map[string]any{}}})
	for _, piece := range fakeToolInput {
		send("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
			"delta": map[string]string{"type": "input_json_delta", "partial_json": piece}})
	}
	send("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0})
	send("message_delta", map[string]any{"type": "message_delta",
		"delta": map[string]any{"stop_reason": "tool_use", "stop_sequence": nil},
		"usage": map[string]int{"output_tokens": usage["output_tokens"]}})
	send("message_stop", map[string]string{"type": "message_stop"})
}
