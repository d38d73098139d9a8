// Command researcher is the research team's researcher (samples/research): its input is one
// sub-question. It asks the LLM with the tools policy lets it use and runs the calls the model
// makes; when the model makes none it checks its draft with a tool itself. It keeps its notes
// in its memory, recalls the notes it kept on the same question before, sends its notes to the
// agent that started it (the planner) and writes them as its output.
//
//	cd samples && GOOS=wasip1 GOARCH=wasm go build -o researcher.wasm ./research/researcher
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
	// defaultQuestion is what the researcher works on when its run input is empty.
	defaultQuestion = "What is a research agent?"
	// maxNote bounds each part of the notes, an answer or an observation, so that the report
	// of a hundred researchers fits in the 64 KiB of a child's output its parent sees.
	maxNote = 300
)

func main() {
	if err := run(context.Background()); err != nil {
		aios.Errorf("researcher: %v", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	q, err := readQuestion()
	if err != nil {
		return err
	}
	tools, err := aios.ListTools(ctx)
	if err != nil {
		return fmt.Errorf("list tools: %w", err)
	}
	aios.Infof("question: %s", q)
	answer, used, err := investigate(ctx, q, tools)
	if err != nil {
		return err
	}
	if len(used) == 0 {
		used = check(ctx, answer, tools)
	}
	notes := "Q: " + q + "\nA: " + clip(oneLine(answer), maxNote)
	for _, u := range used {
		notes += "\nTool " + u
	}
	mem := aios.Mem()
	if _, err := mem.Add(ctx, notes, map[string]string{"kind": "notes"}); err != nil {
		return fmt.Errorf("remember notes: %w", err)
	}
	hits, err := mem.Search(ctx, q, aios.Keyword(), aios.TopK(3))
	if err != nil {
		return fmt.Errorf("recall notes: %w", err)
	}
	aios.Infof("memory: %d notes kept on this question", len(hits))
	if parent := aios.Parent(); parent != 0 {
		if err := sendRetrying(parent, []byte(notes)); err != nil {
			return fmt.Errorf("send notes to %d: %w", parent, err)
		}
	}
	return aios.Outputf("%s\n", notes)
}

// investigate asks the model the question, offering the tools, runs the calls it makes and
// asks again with what they gave. It returns the answer and the tools used ("NAME: result").
func investigate(ctx context.Context, q string, tools []aios.Tool) (string, []string, error) {
	msgs := []aios.Message{
		aios.SystemMessage("You are a researcher. Use a tool when it helps; answer in two or three sentences."),
		aios.UserMessage(q),
	}
	resp, err := aios.Generate(ctx, aios.Request{Messages: msgs, Tools: tools, MaxTokens: 96})
	if err != nil {
		return "", nil, fmt.Errorf("generate: %w", err)
	}
	if len(resp.ToolCalls) == 0 {
		return resp.Text, nil, nil
	}
	var used []string
	msgs = append(msgs, aios.Message{Role: aios.RoleAssistant, Content: resp.Text, ToolCalls: resp.ToolCalls})
	for _, c := range resp.ToolCalls {
		obs := observe(aios.RunToolCall(ctx, c))
		aios.Infof("tool %s (the model's call): %s", c.Name, clip(obs, 120))
		used = append(used, c.Name+": "+obs)
		msgs = append(msgs, aios.ToolMessage(c.ID, obs))
	}
	resp, err = aios.Generate(ctx, aios.Request{Messages: msgs, Tools: tools, ToolChoice: aios.ToolChoiceNone, MaxTokens: 96})
	if err != nil {
		return "", nil, fmt.Errorf("generate with observations: %w", err)
	}
	return resp.Text, used, nil
}

// check runs a tool on the draft answer when the model called none: word_count (the textkit
// plugin) or echo (the reference MCP server), whichever policy grants.
func check(ctx context.Context, answer string, tools []aios.Tool) []string {
	for _, t := range tools {
		var args map[string]string
		switch t.Name {
		case "word_count":
			args = map[string]string{"text": answer}
		case "echo":
			args = map[string]string{"message": clip(answer, 200)}
		default:
			continue
		}
		obs := observe(aios.CallTool(ctx, t.Name, args))
		aios.Infof("tool %s (a check of the draft): %s", t.Name, clip(obs, 120))
		return []string{t.Name + ": " + obs}
	}
	aios.Warnf("no tool to check the draft with (%d tools granted)", len(tools))
	return nil
}

// observe turns a tool's outcome into one line of notes; a failure is an observation too.
func observe(res aios.ToolResult, err error) string {
	switch {
	case err != nil:
		return "error: " + err.Error()
	case res.IsError:
		return "error: " + clip(oneLine(res.Content), maxNote)
	}
	return clip(oneLine(res.Content), maxNote)
}

// sendRetrying sends body to agent to, retrying while its mailbox is full.
func sendRetrying(to uint64, body []byte) error {
	for {
		err := aios.Send(to, body)
		if !errors.Is(err, aios.ErrAgain) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func readQuestion() (string, error) {
	in, err := aios.Input()
	if err != nil {
		return "", err
	}
	if q := oneLine(string(in)); q != "" {
		return clip(q, maxNote), nil
	}
	return defaultQuestion, nil
}

// oneLine returns s with its runs of white space, newlines included, made single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip returns s cut to at most n bytes, on a rune boundary, marked when cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
