// Command durable is a test agent for durable runs: it makes a call of every kind a replay
// must reproduce (clocks, sleep, random, a blocking and an asynchronous generation, storage
// and memory) and writes everything it observed as its output, so that a replay that leaked
// anything would produce a different output.
//
// With the input "rounds N TEXT" it asks the LLM N times, "round I: TEXT", one after the
// other, and outputs the answers, one a line: a run long enough to be killed in the middle.
// With "puts N" it stores N keys, k000 to kN-1, one after the other; "aputs N" does the same
// through submit and wait (a call given a deadline is submitted), and "adds N" adds N memory
// entries, m000 to mN-1. With "tagged N TEXT"
// it is "rounds" with a random number of the run appended to every prompt, so that the
// prompts of many runs can be told apart.
package main

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"time"

	aios "github.com/aiosys/aios/sdk-go"
)

func main() {
	if err := run(context.Background()); err != nil {
		aios.Errorf("durable: %v", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	in, err := aios.Input()
	if err != nil {
		return err
	}
	var n int
	var text string
	if _, err := fmt.Sscanf(string(in), "rounds %d %s", &n, &text); err == nil {
		return rounds(ctx, n, text)
	}
	if _, err := fmt.Sscanf(string(in), "tagged %d %s", &n, &text); err == nil {
		return rounds(ctx, n, fmt.Sprintf("%s %d", text, rand.Int63()))
	}
	if _, err := fmt.Sscanf(string(in), "puts %d", &n); err == nil {
		return puts(ctx, "puts", n)
	}
	if _, err := fmt.Sscanf(string(in), "aputs %d", &n); err == nil {
		actx, cancel := context.WithTimeout(ctx, time.Hour)
		defer cancel()
		return puts(actx, "aputs", n)
	}
	if _, err := fmt.Sscanf(string(in), "adds %d", &n); err == nil {
		return adds(ctx, n)
	}
	start := time.Now()
	time.Sleep(2 * time.Millisecond)
	out := fmt.Sprintf("args=%v env=%s\n", os.Args, os.Getenv("GREETING"))
	out += fmt.Sprintf("now=%d slept=%d rand=%d\n", start.UnixNano(), time.Since(start), rand.Int63())
	resp, err := aios.Generate(ctx, aios.Prompt(string(in)))
	if err != nil {
		return err
	}
	out += "generate=" + resp.Text + "\n"
	call, err := aios.Submit(aios.Prompt("async " + string(in)))
	if err != nil {
		return err
	}
	async, err := call.Wait()
	if err != nil {
		return err
	}
	out += "async=" + async.Text + "\n"
	rev, err := aios.Store().Put(ctx, "answer", []byte(resp.Text))
	if err != nil {
		return err
	}
	item, err := aios.Store().Get(ctx, "answer")
	if err != nil {
		return err
	}
	out += fmt.Sprintf("storage=%d %s\n", rev.Version, item.Value)
	id, err := aios.Mem().Add(ctx, string(in), nil)
	if err != nil {
		return err
	}
	entry, err := aios.Mem().Get(ctx, id)
	if err != nil {
		return err
	}
	out += "memory=" + id + " " + entry.Text + "\n"
	out += fmt.Sprintf("end=%d\n", time.Now().UnixNano())
	return aios.Output([]byte(out))
}

func rounds(ctx context.Context, n int, text string) error {
	var out string
	for i := range n {
		resp, err := aios.Generate(ctx, aios.Prompt(fmt.Sprintf("round %d: %s", i, text)))
		if err != nil {
			return err
		}
		out += resp.Text + "\n"
	}
	return aios.Output([]byte(out))
}

func puts(ctx context.Context, mode string, n int) error {
	for i := range n {
		if _, err := aios.Store().Put(ctx, fmt.Sprintf("k%03d", i), fmt.Appendf(nil, "v%d", i)); err != nil {
			return err
		}
	}
	return aios.Outputf("%s %d done\n", mode, n)
}

func adds(ctx context.Context, n int) error {
	for i := range n {
		if _, err := aios.Mem().Add(ctx, fmt.Sprintf("m%03d", i), nil); err != nil {
			return err
		}
	}
	return aios.Outputf("adds %d done\n", n)
}
