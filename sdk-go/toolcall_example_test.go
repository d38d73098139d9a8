package aios_test

import (
	"context"
	"errors"
	"fmt"

	aios "github.com/aiosys/aios/sdk-go"
)

// A ReAct loop: the model asks for the host's tools, the agent runs them and answers, until
// the model writes its answer.
func ExampleRunToolCall() {
	ctx := context.Background()
	tools, err := aios.ListTools(ctx)
	if err != nil {
		aios.Errorf("tools: %v", err)
		return
	}
	req := aios.Request{Messages: []aios.Message{aios.UserMessage("What is on example.com?")}, Tools: tools}
	for range 10 {
		resp, err := aios.Generate(ctx, req)
		if err != nil {
			aios.Errorf("generate: %v", err)
			return
		}
		if resp.FinishReason != aios.FinishToolCalls {
			fmt.Println(resp.Text)
			return
		}
		req.Messages = append(req.Messages, resp.Message())
		for _, c := range resp.ToolCalls {
			res, err := aios.RunToolCall(ctx, c)
			if errors.Is(err, aios.ErrInvalid) {
				// The model's arguments broke the tool's schema: tell it, so it can retry.
				req.Messages = append(req.Messages, aios.ToolMessage(c.ID, err.Error()))
				continue
			}
			if err != nil {
				aios.Errorf("tool %s: %v", c.Name, err)
				return
			}
			req.Messages = append(req.Messages, res.Message(c.ID))
		}
	}
}

// Several tools run at the same time; the agent collects each as it finishes.
func ExampleStartToolCall() {
	urls := []string{"https://example.com", "https://example.org"}
	var calls []*aios.Pending[aios.ToolResult]
	for _, u := range urls {
		c, err := aios.StartToolCall("http_fetch", map[string]string{"url": u})
		if err != nil {
			aios.Errorf("start: %v", err)
			return
		}
		calls = append(calls, c)
	}
	for len(calls) > 0 {
		i, err := aios.WaitAny(calls...)
		if err != nil {
			aios.Errorf("wait: %v", err)
			return
		}
		res, err := calls[i].Wait()
		fmt.Println(urls[i], len(res.Content), err)
		calls[i], urls[i] = calls[len(calls)-1], urls[len(urls)-1]
		calls, urls = calls[:len(calls)-1], urls[:len(urls)-1]
	}
}
