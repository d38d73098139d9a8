// Command parent is a test agent that starts children (ABI 1.3). Its input picks what it does:
//
//	fanout      start two workers that each ask the LLM, collect their messages, wait, combine
//	budget      start a worker with a budget too small for its generation, then generate itself
//	orphan      start two sleeping workers and end without waiting for them
//	hold        start a sleeping worker and wait for it (until the parent is ended)
//	pingpong N  start a pong worker and exchange N messages with it; output the round trips'
//	            p50 and mean in nanoseconds
//	chat N K T  start N chat workers, the i-th of which asks the LLM K+i times, tagged T, and
//	            sends every answer; answer each message with an ack the LLM gives, wait for all,
//	            output the messages sorted and how each worker ended (a durable run's children; docs/DURABLE.md)
//
// A call that fails is written to the output and ends the agent with exit code 2.
package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	aios "github.com/aiosys/aios/sdk-go"
)

func main() {
	in, err := aios.Input()
	check("input", err)
	mode, arg, _ := strings.Cut(strings.TrimSpace(string(in)), " ")
	switch mode {
	case "fanout":
		fanout()
	case "budget":
		budget()
	case "orphan":
		for range 2 {
			_, err := aios.Spawn("worker.wasm", aios.SpawnOptions{Input: []byte("sleep")})
			check("spawn", err)
		}
		aios.Output([]byte("left"))
	case "hold":
		c, err := aios.Spawn("worker.wasm", aios.SpawnOptions{Input: []byte("sleep")})
		check("spawn", err)
		_, err = c.Wait()
		check("wait", err)
	case "pingpong":
		n, _ := strconv.Atoi(arg)
		pingpong(max(n, 1))
	case "chat":
		var n, k int
		var tag string
		_, err := fmt.Sscanf(arg, "%d %d %s", &n, &k, &tag)
		check("chat", err)
		chat(n, k, tag)
	default:
		check("mode", fmt.Errorf("unknown mode %q", mode))
	}
}

func fanout() {
	var kids []*aios.Child
	for _, word := range []string{"alpha", "beta"} {
		c, err := aios.Spawn("worker.wasm", aios.SpawnOptions{Input: []byte(word), Budget: aios.Budget{Tokens: 1000}})
		check("spawn", err)
		kids = append(kids, c)
	}
	var got []string
	for range kids {
		m, err := aios.Recv(time.Minute)
		check("recv", err)
		got = append(got, string(m.Body))
	}
	slices.Sort(got)
	tokens := 0
	for _, c := range kids {
		r, err := c.Wait()
		check("wait", err)
		if r.Status != "exited" || r.ExitCode != 0 {
			check("wait", fmt.Errorf("%s ended %s with %d: %s", r.Name, r.Status, r.ExitCode, r.Error))
		}
		tokens += r.Usage.InputTokens + r.Usage.OutputTokens
	}
	aios.Outputf("%s; children spent %d tokens", strings.Join(got, " + "), tokens)
}

func budget() {
	c, err := aios.Spawn("worker.wasm", aios.SpawnOptions{Input: []byte("spend"), Budget: aios.Budget{Tokens: 20}})
	check("spawn", err)
	r, err := c.Wait()
	check("wait", err)
	resp, err := aios.Generate(context.Background(), aios.Prompt("the parent goes on"))
	check("generate", err)
	aios.Outputf("child %s exit %d: %s; parent: %s", r.Status, r.ExitCode, r.Output, resp.Text)
}

func pingpong(n int) {
	c, err := aios.Spawn("worker.wasm", aios.SpawnOptions{Input: []byte("pong")})
	check("spawn", err)
	rts := make([]time.Duration, n)
	body := []byte("ping")
	for i := range n {
		start := time.Now()
		check("send", aios.Send(c.PID, body))
		_, err := aios.Recv(-1)
		check("recv", err)
		rts[i] = time.Since(start)
	}
	check("kill", c.Kill())
	var sum time.Duration
	for _, d := range rts {
		sum += d
	}
	slices.Sort(rts)
	aios.Outputf("%d %d", rts[n/2].Nanoseconds(), (sum / time.Duration(n)).Nanoseconds())
}

func chat(n, k int, tag string) {
	kids := map[uint64]*aios.Child{}
	var order []*aios.Child
	total := 0
	for i := range n {
		c, err := aios.Spawn("worker.wasm", aios.SpawnOptions{Input: []byte(fmt.Sprintf("chat w%d %d %s", i, k+i, tag))})
		check("spawn", err)
		kids[c.PID] = c
		order = append(order, c)
		total += k + i
	}
	var got []string
	for range total {
		m, err := aios.Recv(-1)
		check("recv", err)
		if kids[m.From] == nil {
			check("recv", fmt.Errorf("a message from pid %d, not a child: %q", m.From, m.Body))
		}
		got = append(got, string(m.Body))
		// The ack is asked of the LLM, so that messages wait in the mailbox meanwhile.
		resp, err := aios.Generate(context.Background(), aios.Prompt("ack "+string(m.Body)))
		check("generate", err)
		check("send", aios.Send(m.From, []byte(resp.Text)))
	}
	slices.Sort(got)
	out := strings.Join(got, "\n") + "\n"
	for _, c := range order {
		r, err := c.Wait()
		check("wait", err)
		out += fmt.Sprintf("%s %s %d: %s\n", r.Name, r.Status, r.ExitCode, r.Output)
	}
	aios.Output([]byte(out))
}

func check(what string, err error) {
	if err != nil {
		aios.Outputf("%s: %v", what, err)
		os.Exit(2)
	}
}
