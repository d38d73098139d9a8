// Command writer is the research team's writer (samples/research): its input is a JSON object
// {"topic": string, "findings": [{"question": string, "notes": string}]} from the planner. It
// asks the LLM for a summary of the notes and writes the report as its output:
//
//	# Research report: TOPIC
//	## Summary
//	...
//	## Findings
//	### 1. QUESTION
//	NOTES
//
//	cd samples && GOOS=wasip1 GOARCH=wasm go build -o writer.wasm ./research/writer
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	aios "github.com/aiosys/aios/sdk-go"
)

// maxPrompt bounds the notes the summary's prompt carries, so that the prompt fits a small
// model's context (the simulator's is 1,024 tokens).
const maxPrompt = 2000

// brief is what the planner hands the writer.
type brief struct {
	Topic    string    `json:"topic"`
	Findings []finding `json:"findings"`
}

type finding struct {
	Question string `json:"question"`
	Notes    string `json:"notes"`
}

func main() {
	if err := run(context.Background()); err != nil {
		aios.Errorf("writer: %v", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	in, err := aios.Input()
	if err != nil {
		return err
	}
	var b brief
	if err := json.Unmarshal(in, &b); err != nil {
		return fmt.Errorf("read the brief (a JSON object with topic and findings): %w", err)
	}
	if len(b.Findings) == 0 {
		return fmt.Errorf("the brief has no findings to write up")
	}
	topic := strings.Join(strings.Fields(b.Topic), " ")
	aios.Infof("writing up %d findings on %q", len(b.Findings), topic)

	var notes strings.Builder
	for _, f := range b.Findings {
		if notes.Len()+len(f.Notes) > maxPrompt {
			break
		}
		notes.WriteString(f.Notes + "\n\n")
	}
	summary := "(no summary: the LLM failed)"
	resp, err := aios.Generate(ctx, aios.Request{MaxTokens: 160, Messages: []aios.Message{
		aios.SystemMessage("You are a technical writer. Summarize the research notes in three sentences."),
		aios.UserMessage("Topic: " + topic + "\n\nNotes:\n" + notes.String()),
	}})
	if err != nil {
		// The findings are the report's substance: without a summary it is still worth writing.
		aios.Warnf("summarize: %v", err)
	} else {
		summary = strings.TrimSpace(resp.Text)
	}

	var r strings.Builder
	fmt.Fprintf(&r, "# Research report: %s\n\n## Summary\n\n%s\n\n## Findings\n", topic, summary)
	for i, f := range b.Findings {
		fmt.Fprintf(&r, "\n### %d. %s\n\n%s\n", i+1, strings.Join(strings.Fields(f.Question), " "), strings.TrimSpace(f.Notes))
	}
	return aios.Output([]byte(r.String()))
}
