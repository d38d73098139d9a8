package llm

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"
)

// stream runs p as a Messages API event stream
// (https://docs.anthropic.com/en/docs/build-with-claude/streaming), passing each text delta to
// onChunk. A stream that ends without message_stop was cut short: its error wraps
// io.ErrUnexpectedEOF, which the dispatcher retries.
func (c *anthropicCore) stream(ctx context.Context, p anthropic.MessageNewParams, onChunk func(Chunk)) (Response, error) {
	s := c.messages.NewStreaming(ctx, p)
	defer s.Close()
	var (
		resp    Response
		text    strings.Builder
		usage   anthropic.MessageDeltaUsage
		tools   toolUseBlocks
		stopped bool
	)
	for s.Next() {
		ev := s.Current()
		switch ev.Type {
		case "message_start":
			resp.Model = string(ev.Message.Model)
			u := ev.Message.Usage
			usage.InputTokens, usage.OutputTokens = u.InputTokens, u.OutputTokens
			usage.CacheCreationInputTokens, usage.CacheReadInputTokens = u.CacheCreationInputTokens, u.CacheReadInputTokens
		case "content_block_start":
			if b := ev.ContentBlock; b.Type == "tool_use" {
				tools.start(ev.Index, b.ID, b.Name)
			}
		case "content_block_delta":
			switch ev.Delta.Type {
			case "text_delta":
				if d := ev.Delta.Text; d != "" {
					text.WriteString(d)
					onChunk(Chunk{Text: d})
				}
			case "input_json_delta":
				tools.delta(ev.Index, ev.Delta.PartialJSON)
			}
		case "message_delta":
			resp.FinishReason = anthropicFinishReason(ev.Delta.StopReason)
			mergeDeltaUsage(&usage, ev.Usage)
		case "message_stop":
			stopped = true
		}
	}
	resp.Text = text.String()
	resp.ToolCalls = tools.calls()
	resp.Usage = Usage{
		InputTokens:  int(usage.InputTokens + usage.CacheCreationInputTokens + usage.CacheReadInputTokens),
		OutputTokens: int(usage.OutputTokens),
	}
	if err := s.Err(); err != nil {
		return resp, err
	}
	if !stopped {
		return resp, fmt.Errorf("the event stream ended before message_stop: %w", io.ErrUnexpectedEOF)
	}
	if resp.FinishReason == "" {
		resp.FinishReason = "stop"
	}
	return resp, nil
}

// mergeDeltaUsage folds a message_delta's usage into u. The counts are cumulative; the API
// always sends output_tokens there and, in newer versions, the input counts too, so a zero input
// count means "not sent", not "none".
func mergeDeltaUsage(u *anthropic.MessageDeltaUsage, d anthropic.MessageDeltaUsage) {
	u.OutputTokens = d.OutputTokens
	if d.InputTokens > 0 {
		u.InputTokens = d.InputTokens
	}
	if d.CacheCreationInputTokens > 0 {
		u.CacheCreationInputTokens = d.CacheCreationInputTokens
	}
	if d.CacheReadInputTokens > 0 {
		u.CacheReadInputTokens = d.CacheReadInputTokens
	}
}
