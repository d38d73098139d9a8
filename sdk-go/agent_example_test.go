package aios_test

import (
	"errors"
	"fmt"
	"time"

	aios "github.com/aiosys/aios/sdk-go"
)

// A parent fans a task out to two children, each with a budget of its own, collects their
// messages and waits for both.
func ExampleSpawn() {
	var kids []*aios.Child
	for _, part := range []string{"first half", "second half"} {
		c, err := aios.Spawn("summarize.wasm", aios.SpawnOptions{
			Input:  []byte(part),
			Budget: aios.Budget{Tokens: 2000},
			Limits: aios.ChildLimits{WallTime: time.Minute},
		})
		if err != nil {
			aios.Errorf("spawn: %v", err)
			return
		}
		kids = append(kids, c)
	}
	for range kids {
		m, err := aios.Recv(30 * time.Second)
		if err != nil {
			aios.Errorf("recv: %v", err)
			return
		}
		fmt.Printf("from %d: %s\n", m.From, m.Body)
	}
	for _, c := range kids {
		r, err := c.Wait()
		if err != nil {
			aios.Errorf("wait: %v", err)
			return
		}
		fmt.Printf("%s[%d] %s (exit %d), %d tokens\n", r.Name, r.PID, r.Status, r.ExitCode, r.Usage.InputTokens+r.Usage.OutputTokens)
	}
}

// A child reports to its parent; a full mailbox is retried.
func ExampleSend() {
	for {
		err := aios.Send(aios.Parent(), []byte("done"))
		if !errors.Is(err, aios.ErrAgain) {
			if err != nil {
				aios.Errorf("send: %v", err)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
