package dispatch

import (
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

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

// usedTokens is what a backend reports a generation used, input plus output. A backend is not
// trusted to report sane numbers: negative counts are zero and the sum saturates.
func usedTokens(u llm.Usage) int {
	return quota.Add(max(u.InputTokens, 0), max(u.OutputTokens, 0))
}
