package kernel_test

import (
	"context"
	"testing"

	"github.com/aiosys/aios/kernel"
)

// BenchmarkMsgRoundTripKernel measures a message round trip between a parent and its child in
// the kernel alone (no WebAssembly): msg_send, msg_recv, and back.
func BenchmarkMsgRoundTripKernel(b *testing.B) {
	ctx := context.Background()
	k, _ := agentKernel(b, kernel.AgentLimits{}, map[string]func(context.Context, *kernel.Process) (int, error){
		"pong.wasm": func(ctx context.Context, p *kernel.Process) (int, error) {
			for {
				m, err := p.RecvMessage(ctx, -1)
				if err != nil {
					return 0, nil
				}
				if err := p.SendMessage(ctx, m.From, m.Body); err != nil {
					return 1, err
				}
			}
		},
	})
	root, err := k.Spawn(kernel.Spec{Name: "root"})
	if err != nil {
		b.Fatal(err)
	}
	c, err := root.SpawnAgent(ctx, "pong.wasm", kernel.SpawnRequest{})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte("ping")
	b.ResetTimer()
	for range b.N {
		if err := root.SendMessage(ctx, c.PID(), body); err != nil {
			b.Fatal(err)
		}
		if _, err := root.RecvMessage(ctx, -1); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	root.End(0, nil)
}
