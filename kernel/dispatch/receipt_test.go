package dispatch

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel/quota"
)

func TestReceiptReportsChargedUsageCostAndWait(t *testing.T) {
	c := &testCore{name: "only", started: make(chan string)}
	d, err := New([]Backend{{Core: c, Capacity: 1, PriceIn: quota.Dollars(1), PriceOut: quota.Dollars(2)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The first generation holds the only place until its start is received, so the second
	// waits for it.
	first := make(chan error, 1)
	go func() {
		_, err := d.Generate(as("first"), ask("hold"), nil)
		first <- err
	}()
	waitFor(t, "the first generation to start", func() bool { calls, _ := c.stats(); return calls == 1 })
	var got []Receipt
	ctx := WithReceipt(as("a"), func(r Receipt) { got = append(got, r) })
	done := make(chan error, 1)
	go func() {
		_, err := d.Generate(ctx, ask("x"), nil)
		done <- err
	}()
	time.Sleep(30 * time.Millisecond)
	<-c.started
	<-c.started
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d receipts, want 1", len(got))
	}
	r := got[0]
	want := quota.Cost((int64(r.Usage.InputTokens)*1_000_000 + int64(r.Usage.OutputTokens)*2_000_000 + 999_999) / 1_000_000)
	if r.Core != "only" || r.Usage.OutputTokens == 0 || r.Cost != want || r.Retries != 0 {
		t.Errorf("receipt = %+v, want core only, some output, cost %v", r, want)
	}
	if r.QueueWait < 20*time.Millisecond {
		t.Errorf("queue wait %v, want at least the 20ms the place was held", r.QueueWait)
	}

	// A failed generation gives no receipt.
	bad := &testCore{name: "bad", fail: func(int) error { return errors.New("refused") }}
	d, err = New([]Backend{{Core: bad}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	if _, err := d.Generate(ctx, ask("y"), nil); err == nil || len(got) != 0 {
		t.Fatalf("failed generation: err %v, %d receipts; want an error and none", err, len(got))
	}
}

func TestWeightSharesLoad(t *testing.T) {
	heavy := &testCore{name: "heavy", hold: true}
	light := &testCore{name: "light", hold: true}
	d, err := New([]Backend{
		{Core: light, Capacity: 4},
		{Core: heavy, Capacity: 4, Weight: 3},
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(as("a"))
	var wg sync.WaitGroup
	for n := range 4 {
		wg.Go(func() { _, _ = d.Generate(ctx, ask("x"), nil) })
		// One at a time, so each placement sees the ones before it.
		waitFor(t, "the generation to start", func() bool {
			h, _ := heavy.stats()
			l, _ := light.stats()
			return h+l > n
		})
	}
	h, _ := heavy.stats()
	l, _ := light.stats()
	cancel()
	wg.Wait()
	if h != 3 || l != 1 {
		t.Errorf("heavy got %d, light %d of 4; want 3 and 1 for weights 3 and 1", h, l)
	}
}
