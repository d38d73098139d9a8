// Command worker is a test agent started by parent (ABI 1.3). Its input picks what it does:
//
//	sleep   wait for a message that never comes (until it is ended)
//	spend   ask for a generation larger than its budget; output the error, exit 3
//	pong    answer every message with the same body, forever
//	chat NAME K TAG  ask the LLM K times ("NAME round I of TAG"), sending each answer to the
//	        parent; then receive the parent's K acks and output them
//	other   ask the LLM about the input, send the answer to its parent and output it
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	aios "github.com/aiosys/aios/sdk-go"
)

func main() {
	in, _ := aios.Input()
	ctx := context.Background()
	if name, k, tag, ok := chatMode(string(in)); ok {
		chat(ctx, name, k, tag)
		return
	}
	switch string(in) {
	case "sleep":
		_, err := aios.Recv(-1)
		aios.Outputf("woke: %v", err)
	case "spend":
		_, err := aios.Generate(ctx, aios.Request{Messages: []aios.Message{aios.UserMessage("a long question")}, MaxTokens: 500})
		if errors.Is(err, aios.ErrQuota) {
			aios.Outputf("EQUOTA")
			os.Exit(3)
		}
		aios.Outputf("generate: %v", err)
	case "pong":
		for {
			m, err := aios.Recv(-1)
			if err != nil {
				return
			}
			if err := aios.Send(m.From, m.Body); err != nil {
				return
			}
		}
	default:
		resp, err := aios.Generate(ctx, aios.Prompt(string(in)))
		if err != nil {
			aios.Outputf("generate: %v", err)
			os.Exit(1)
		}
		if err := aios.Send(aios.Parent(), []byte(resp.Text)); err != nil {
			aios.Outputf("send: %v", err)
			os.Exit(1)
		}
		aios.Output([]byte(resp.Text))
	}
}

func chatMode(in string) (name string, k int, tag string, ok bool) {
	_, err := fmt.Sscanf(in, "chat %s %d %s", &name, &k, &tag)
	return name, k, tag, err == nil
}

func chat(ctx context.Context, name string, k int, tag string) {
	var acks []string
	for i := range k {
		resp, err := aios.Generate(ctx, aios.Prompt(fmt.Sprintf("%s round %d of %s", name, i, tag)))
		if err != nil {
			aios.Outputf("generate: %v", err)
			os.Exit(1)
		}
		if err := aios.Send(aios.Parent(), []byte(name+": "+resp.Text)); err != nil {
			aios.Outputf("send: %v", err)
			os.Exit(1)
		}
	}
	for range k { // the acks wait in the mailbox meanwhile
		m, err := aios.Recv(-1)
		if err != nil || m.From != aios.Parent() {
			aios.Outputf("recv: from %d: %v", m.From, err)
			os.Exit(1)
		}
		acks = append(acks, string(m.Body))
	}
	aios.Output([]byte(strings.Join(acks, "; ")))
}
