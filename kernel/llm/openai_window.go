package llm

import (
	"context"
	"fmt"
	"strconv"
)

// askWindow reads model's context window from the server's model list (GET /models). OpenAI
// itself reports none; vLLM and servers that copy it (the llm-d inference simulator among them)
// report max_model_len. A model the list does not name, or names without it, has none.
func (c *openAICore) askWindow(ctx context.Context, model string) (int, error) {
	page, err := c.models.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("list models at %s: %w", c.baseURL, err)
	}
	for _, m := range page.Data {
		if m.ID != model {
			continue
		}
		// The SDK keeps fields it does not declare as raw JSON, never marked valid.
		raw := m.JSON.ExtraFields["max_model_len"].Raw()
		if raw == "" || raw == "null" {
			return 0, nil
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("list models at %s: model %q: max_model_len %.40q is not a token count", c.baseURL, model, raw)
		}
		return n, nil
	}
	return 0, nil
}
