package dispatch

import "github.com/aiosys/aios/kernel/llm"

// EstimateInput is the default estimate of a request's input tokens: about one token per
// three bytes plus a few per message for the chat framing. It errs high, because a quota
// reservation is only a hard bound if the estimate is not below the truth.
func EstimateInput(req llm.Request) int {
	n := 0
	for _, m := range req.Messages {
		n += len(m.Content)/3 + 1 + 4
	}
	return n
}
