// Command react is a ReAct agent: it lists the tools policy lets it use, asks the LLM with them,
// runs the tool calls the model returns, keeps each observation in its memory, searches its
// memory before answering, stores the final answer in its storage and prints it.
//
//	cd samples && GOOS=wasip1 GOARCH=wasm go build -o react.wasm ./react
//	aios run --config samples/aios.toml react.wasm --input "What is 2 plus 3?"
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	aios "github.com/aiosys/aios/sdk-go"
)

const (
	// defaultTask is what the agent works on when its run input is empty.
	defaultTask = "Add 2 and 3 with a tool, then echo the sum."
	// maxSteps bounds the model's turns: a model that keeps asking for tools is stopped.
	maxSteps = 4
	// maxObservation bounds how much of one tool result goes back to the model and into memory.
	maxObservation = 2000
)

func main() {
	if err := run(context.Background()); err != nil {
		aios.Errorf("react: %v", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	task, err := readTask()
	if err != nil {
		return err
	}
	tools, err := aios.ListTools(ctx)
	if err != nil {
		return fmt.Errorf("list tools: %w", err)
	}
	aios.Infof("task: %s", task)
	aios.Infof("tools: %d (%s)", len(tools), toolNames(tools))

	mem := aios.Mem()
	run := time.Now().UTC().Format(time.RFC3339Nano)
	msgs := []aios.Message{
		aios.SystemMessage("You are a careful agent. Use the tools to act; answer briefly when you are done."),
		aios.UserMessage(task),
	}
	var answer string
	for step := 1; step <= maxSteps; step++ {
		req := aios.Request{Messages: msgs, Tools: tools, MaxTokens: 128}
		if step == maxSteps {
			req.ToolChoice = aios.ToolChoiceNone // the last turn must answer
		}
		resp, err := aios.Generate(ctx, req)
		if err != nil {
			return fmt.Errorf("step %d: generate: %w", step, err)
		}
		if len(resp.ToolCalls) == 0 {
			answer = resp.Text
			aios.Infof("step %d: the model answered (%d bytes)", step, len(answer))
			break
		}
		msgs = append(msgs, aios.Message{Role: aios.RoleAssistant, Content: resp.Text, ToolCalls: resp.ToolCalls})
		for _, c := range resp.ToolCalls {
			obs := act(ctx, step, c)
			if _, err := mem.Add(ctx, obs, map[string]string{"run": run, "tool": c.Name}); err != nil {
				return fmt.Errorf("remember: %w", err)
			}
			msgs = append(msgs, aios.ToolMessage(c.ID, obs))
		}
	}
	hits, mode, err := recall(ctx, mem, task, run)
	if err != nil {
		return fmt.Errorf("search memory: %w", err)
	}
	aios.Infof("memory: %d hits for the task (%s search)", len(hits), mode)
	for _, h := range hits {
		aios.Debugf("memory hit %.3f: %s", h.Score, clip(h.Text, 80))
	}
	if answer == "" {
		answer = "(no answer after " + fmt.Sprint(maxSteps) + " steps)"
	}
	rev, err := aios.Store().Put(ctx, "answers/latest", []byte(answer))
	if err != nil {
		return fmt.Errorf("store answer: %w", err)
	}
	aios.Infof("stored the answer as answers/latest version %d", rev.Version)
	return aios.Outputf("%s\n", answer)
}

// recall searches this run's observations for the task: by meaning and keywords together
// when the host computes embeddings, by keywords alone when it does not.
func recall(ctx context.Context, mem aios.Memory, task, run string) ([]aios.MemoryHit, string, error) {
	hits, err := mem.Search(ctx, task, aios.Hybrid(), aios.TopK(3), aios.Where("run", run))
	if errors.Is(err, aios.ErrNotFound) {
		hits, err = mem.Search(ctx, task, aios.Keyword(), aios.TopK(3), aios.Where("run", run))
		return hits, "keyword", err
	}
	return hits, "hybrid", err
}

// act runs one tool call and returns the observation to show the model. A tool that fails,
// or a call the host refuses, is an observation too: the model may try something else.
func act(ctx context.Context, step int, c aios.ToolCall) string {
	res, err := aios.RunToolCall(ctx, c)
	switch {
	case err != nil:
		aios.Warnf("step %d: tool %s %s: %v", step, c.Name, clip(c.Arguments, 120), err)
		return "error: " + err.Error()
	case res.IsError:
		aios.Warnf("step %d: tool %s %s reported an error (%d bytes)", step, c.Name, clip(c.Arguments, 120), res.Bytes)
	default:
		aios.Infof("step %d: tool %s %s -> %d bytes", step, c.Name, clip(c.Arguments, 120), res.Bytes)
	}
	return clip(res.Content, maxObservation)
}

func readTask() (string, error) {
	in, err := aios.Input()
	if err != nil {
		return "", err
	}
	if t := strings.TrimSpace(string(in)); t != "" {
		return t, nil
	}
	return defaultTask, nil
}

func toolNames(ts []aios.Tool) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// clip returns s cut to at most n bytes, on a rune boundary, marked when cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
