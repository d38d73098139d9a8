package main

import (
	"fmt"

	aios "github.com/aiosys/aios/sdk-go"
)

// inFlight is the set of submitted calls not yet collected, each with its question's index.
type inFlight struct {
	calls     []*aios.Call
	questions []int
}

func (f *inFlight) add(c *aios.Call, question int) {
	f.calls = append(f.calls, c)
	f.questions = append(f.questions, question)
}

// collect waits for whichever call finishes first, removes it from the set and returns its
// question's index and response.
func (f *inFlight) collect() (int, aios.Response, error) {
	i, err := aios.WaitAny(f.calls...)
	if err != nil {
		return 0, aios.Response{}, err
	}
	c, q := f.calls[i], f.questions[i]
	f.calls = append(f.calls[:i], f.calls[i+1:]...)
	f.questions = append(f.questions[:i], f.questions[i+1:]...)
	resp, err := c.Wait()
	if err != nil {
		return q, resp, fmt.Errorf("question %d: %w", q+1, err)
	}
	return q, resp, nil
}

// cancelAll stops every call still in flight and releases it, after a failure that makes their
// answers useless.
func (f *inFlight) cancelAll() {
	for _, c := range f.calls {
		if err := c.Cancel(); err == nil {
			_, _ = c.Wait()
		}
	}
	f.calls, f.questions = nil, nil
}
