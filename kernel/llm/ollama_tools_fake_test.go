package llm

import (
	"encoding/json"
	"net/http"
)

// toolCall answers with a call of the request's first tool (Ollama gives calls no id in
// versions before 0.12, which the fake follows): in the final object, or streamed in an
// object of its own before it.
func (f *fakeOllama) toolCall(w http.ResponseWriter, req fakeOllamaRequest, final map[string]any) {
	call := map[string]any{"function": map[string]any{
		"index": 0, "name": req.Tools[0].Function.Name, "arguments": json.RawMessage(fakeToolInput[0] + fakeToolInput[1]),
	}}
	msg := map[string]any{"role": "assistant", "content": "", "tool_calls": []any{call}}
	if req.Stream != nil && !*req.Stream {
		final["message"] = msg
		writeJSON(w, http.StatusOK, final)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	_ = enc.Encode(map[string]any{"model": req.Model, "message": msg, "done": false})
	_ = enc.Encode(final)
}

// embed answers /api/embed with one vector per input: its length in bytes, then 1.
func (f *fakeOllama) embed(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model string   `json:"model"`
		Input []string `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if req.Model != fakeOllamaModel {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": `model "` + req.Model + `" not found, try pulling it first`})
		return
	}
	vectors := make([][]float32, len(req.Input))
	for i, s := range req.Input {
		vectors[i] = []float32{float32(len(s)), 1}
	}
	writeJSON(w, http.StatusOK, map[string]any{"model": req.Model, "embeddings": vectors, "prompt_eval_count": 7})
}
