package dispatch

import (
	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// continuation returns req asking the core to carry on after partial, the text that earlier
// pieces produced in tokens (counted as streamed chunks), with max_tokens lowered by them so
// the whole stays within the original budget. done is true when nothing of that budget is left.
func continuation(req llm.Request, partial string, tokens int) (next llm.Request, done bool) {
	if partial == "" {
		return req, false
	}
	left := req.MaxTokens - tokens
	if left <= 0 {
		return req, true
	}
	req.MaxTokens = left
	req.Messages = append(req.Messages[:len(req.Messages):len(req.Messages)], llm.Message{Role: "assistant", Content: partial})
	return req, false
}

// complete turns the last piece's response into the generation's: the whole text, and usage as
// one uninterrupted generation would have had it (see Generate). prior is the text of earlier
// pieces, priorChunks its size in streamed chunks; c is the core that ran the last piece.
func (d *Dispatcher) complete(resp llm.Response, prior string, priorChunks int, c *core) (llm.Response, quota.Cost, error) {
	reread := min(priorChunks, resp.Usage.InputTokens)
	resp.Usage.InputTokens -= reread
	resp.Usage.OutputTokens += reread
	d.overhead.tokens.Add(int64(reread))
	resp.Text = prior + resp.Text
	if resp.Core == "" {
		resp.Core = c.name
	}
	return resp, c.cost(resp.Usage), nil
}

// truncated is the generation whose earlier pieces used up its whole max_tokens before one
// could finish: their text, cut at the length limit. No piece reported usage, so the prompt is
// charged at its estimate and the output as the chunks streamed. last is the core that ran the
// last piece.
func (d *Dispatcher) truncated(req llm.Request, r route, last *core, g *progress) (llm.Response, quota.Cost, error) {
	u := llm.Usage{InputTokens: d.opts.EstimateInput(req), OutputTokens: g.chunks}
	resp := llm.Response{Text: g.text.String(), FinishReason: "length", Model: r.modelFor(last), Core: last.name, Usage: u}
	return resp, last.cost(u), nil
}
