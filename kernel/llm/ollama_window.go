package llm

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/ollama/ollama/api"
)

// askWindow reads model's context window from Ollama's show API: the "<architecture>.context_length"
// of its model_info. A model without one has none.
//
// # Notes
//
// This is the model's trained context; Ollama runs it with num_ctx tokens, often fewer, and
// truncates a longer prompt instead of refusing it, so the window only bounds max_tokens.
func (c *ollamaCore) askWindow(ctx context.Context, model string) (int, error) {
	x := &exchange{next: c.transport, host: c.base.Host, key: c.key}
	show, err := api.NewClient(c.base, &http.Client{Transport: x}).Show(ctx, &api.ShowRequest{Model: model})
	if err != nil {
		return 0, fmt.Errorf("show model %q at %s: %w", model, c.base, err)
	}
	for k, v := range show.ModelInfo {
		if !strings.HasSuffix(k, ".context_length") {
			continue
		}
		if n, ok := v.(float64); ok && n > 0 && n <= 1<<31-1 {
			return int(n), nil
		}
	}
	return 0, nil
}
