// Command hello is the smallest useful aios agent: it asks an LLM to answer its input with
// streaming and writes the answer as its output.
//
//	cd samples && GOOS=wasip1 GOARCH=wasm go build -o hello.wasm ./hello
//	aios run hello.wasm
package main

import (
	"context"
	"os"
	"strings"

	aios "github.com/aiosys/aios/sdk-go"
)

// defaultPrompt is what the agent asks when its run input is empty.
const defaultPrompt = "Say hello"

func main() {
	if err := run(context.Background()); err != nil {
		aios.Errorf("hello: %v", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	in, err := aios.Input()
	if err != nil {
		return err
	}
	prompt := strings.TrimSpace(string(in))
	if prompt == "" {
		prompt = defaultPrompt
	}
	aios.Infof("asking: %s", prompt)

	s, err := aios.Stream(ctx, aios.Prompt(prompt))
	if err != nil {
		return err
	}
	// The host shows each token in the live log as it arrives, so the agent only consumes the
	// stream here; an agent could act on partial text in this loop.
	var chunks int
	for _, err := range s.Chunks() {
		if err != nil {
			return err
		}
		chunks++
	}
	resp, err := s.Result()
	if err != nil {
		return err
	}
	aios.Debugf("%d chunks, %d input and %d output tokens, model %s on core %s",
		chunks, resp.Usage.InputTokens, resp.Usage.OutputTokens, resp.Model, resp.Core)
	return aios.Outputf("%s\n", resp.Text)
}
