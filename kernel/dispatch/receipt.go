package dispatch

import (
	"context"
	"time"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/kernel/quota"
)

// Receipt is what one successful generation cost, as the dispatcher charged it.
type Receipt struct {
	Core      string        // the core that ran the generation's last piece
	Usage     llm.Usage     // the usage charged (see Dispatcher.Generate)
	Cost      quota.Cost    // the money charged, at the core's prices
	QueueWait time.Duration // time spent waiting for a core, summed over the pieces
	Retries   int           // failed tries before the one that succeeded
}

type receiptKey struct{}

// WithReceipt returns ctx asking Generate to pass the receipt of a successful generation to
// fn, once, before Generate returns. A failed generation is charged nothing and gives none.
// The kernel uses it to account usage per core to the calling process.
func WithReceipt(ctx context.Context, fn func(Receipt)) context.Context {
	return context.WithValue(ctx, receiptKey{}, fn)
}

// deliver gives the receipt of a successful request to whoever ctx names: the Call WithCall
// put in it, else the function WithReceipt did.
func deliver(ctx context.Context, rc Receipt) {
	if c := callFrom(ctx); c != nil {
		c.Receipt, c.Charged = rc, true
		return
	}
	if fn, _ := ctx.Value(receiptKey{}).(func(Receipt)); fn != nil {
		fn(rc)
	}
}
