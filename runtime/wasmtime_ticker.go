//go:build wasmtime

package runtime

import (
	"sync"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// epochTick is how often the engine's epoch advances: the longest a running agent goes
// between two looks at its context, so the latency of a cancellation or a time limit.
const epochTick = 5 * time.Millisecond

// epochTicker is the one goroutine of a wasmtime engine: it advances the epoch of every
// Wasmtime engine that engines lists, every tick, until stop.
type epochTicker struct {
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

func startEpochTicker(every time.Duration, engines func() []*wasmtime.Engine) *epochTicker {
	t := &epochTicker{quit: make(chan struct{}), done: make(chan struct{})}
	go t.run(every, engines)
	return t
}

func (t *epochTicker) run(every time.Duration, engines func() []*wasmtime.Engine) {
	defer close(t.done)
	tk := time.NewTicker(every)
	defer tk.Stop()
	for {
		select {
		case <-t.quit:
			return
		case <-tk.C:
			for _, e := range engines() {
				e.IncrementEpoch()
			}
		}
	}
}

// stop ends the goroutine and waits for it. It is idempotent.
func (t *epochTicker) stop() {
	t.once.Do(func() { close(t.quit) })
	<-t.done
}
