// Command fanout shows one agent keeping several LLM calls in flight: it submits one generation
// per question, collects them in whatever order they finish, and writes the answers in the order
// of the questions.
//
//	cd samples && GOOS=wasip1 GOARCH=wasm go build -o fanout.wasm ./fanout
//	aios run fanout.wasm
package main

import (
	"errors"
	"os"
	"strings"

	aios "github.com/aiosys/aios/sdk-go"
)

// defaultQuestions are asked when the run input has no questions.
var defaultQuestions = []string{
	"In one sentence, what is WebAssembly?",
	"In one sentence, what does an operating system kernel do?",
	"In one sentence, what is a large language model?",
}

func main() {
	if err := run(); err != nil {
		aios.Errorf("fanout: %v", err)
		os.Exit(1)
	}
}

func run() error {
	in, err := aios.Input()
	if err != nil {
		return err
	}
	questions := parseQuestions(string(in))
	aios.Infof("asking %d questions at once", len(questions))

	answers, err := askAll(questions)
	if err != nil {
		return err
	}
	for i, q := range questions {
		if err := aios.Outputf("Q%d: %s\nA%d: %s\n\n", i+1, q, i+1, strings.TrimSpace(answers[i])); err != nil {
			return err
		}
	}
	return nil
}

// parseQuestions returns the non-blank lines of in, or the default questions if there are none.
func parseQuestions(in string) []string {
	var qs []string
	for line := range strings.Lines(in) {
		if q := strings.TrimSpace(line); q != "" {
			qs = append(qs, q)
		}
	}
	if len(qs) == 0 {
		return defaultQuestions
	}
	return qs
}

// askAll submits one generation per question and returns the answers in question order. It keeps
// as many calls in flight as the agent's limit allows: when the host refuses another with
// ErrLimit, it first collects one that has finished.
func askAll(questions []string) ([]string, error) {
	answers := make([]string, len(questions))
	var flight inFlight
	next := 0
	for next < len(questions) || len(flight.calls) > 0 {
		if next < len(questions) {
			c, err := aios.Submit(aios.Prompt(questions[next]))
			switch {
			case err == nil:
				flight.add(c, next)
				next++
				continue
			case !errors.Is(err, aios.ErrLimit) || len(flight.calls) == 0:
				flight.cancelAll()
				return nil, err
			}
			aios.Debugf("calls-in-flight limit reached at %d calls; collecting one first", len(flight.calls))
		}
		q, resp, err := flight.collect()
		if err != nil {
			flight.cancelAll()
			return nil, err
		}
		aios.Infof("question %d finished (%d output tokens)", q+1, resp.Usage.OutputTokens)
		answers[q] = resp.Text
	}
	return answers, nil
}
