package dispatch

import (
	"context"
	"testing"

	"github.com/aiosys/aios/kernel/quota"
)

// TestCallCarriesCallerNoticesAndReceipt checks that one WithCall value does what WithCaller,
// WithNotices and WithReceipt do together: the generation is charged to its caller, retries and
// failovers are told to Notices, and the receipt is filled in, Charged set.
func TestCallCarriesCallerNoticesAndReceipt(t *testing.T) {
	l := quota.NewLedger()
	bad := &testCore{name: "bad", fail: func(int) error { return &StatusError{Code: 503} }}
	good := &testCore{name: "good"}
	d, _ := New([]Backend{{Core: bad}, {Core: good, PriceIn: quota.Dollars(1)}},
		Options{Ledger: l, Backoff: 1, FailureThreshold: 100})
	var notices []Notice
	call := &Call{Caller: Caller{Agent: "carol", Tenant: "acme"}, Notices: func(n Notice) { notices = append(notices, n) }}
	// A caller set the old way underneath is overridden.
	ctx := WithCall(WithCaller(context.Background(), Caller{Agent: "mallory"}), call)
	resp, err := d.Generate(ctx, ask("hi"), nil)
	if err != nil || resp.Core != "good" {
		t.Fatalf("%+v, %v", resp, err)
	}
	used := int64(resp.Usage.InputTokens + resp.Usage.OutputTokens)
	if b := l.Balance(quota.Agent, "carol"); b.Used.Tokens != used {
		t.Errorf("carol's balance %+v, want %d tokens used", b, used)
	}
	if b := l.Balance(quota.Tenant, "acme"); b.Used.Tokens != used {
		t.Errorf("acme's balance %+v, want %d tokens used", b, used)
	}
	if b := l.Balance(quota.Agent, "mallory"); b.Used.Tokens != 0 {
		t.Errorf("mallory was charged: %+v", b)
	}
	if len(notices) != 2 || notices[0].Kind != NoticeRetry || notices[1].Kind != NoticeFailover {
		t.Errorf("notices %+v, want a retry then a failover", notices)
	}
	r := call.Receipt
	if !call.Charged || r.Core != "good" || r.Usage != resp.Usage || r.Retries != 1 || r.Cost == 0 {
		t.Errorf("receipt %+v (charged %v), want good's usage, one retry and a cost", r, call.Charged)
	}
}

// TestCallWithoutNoticesOrSuccess checks that a Call without Notices is not told of retries
// (nor does the dispatcher fall back to a WithNotices function underneath), and that a failed
// generation leaves the receipt empty and Charged false.
func TestCallWithoutNoticesOrSuccess(t *testing.T) {
	bad := &testCore{name: "bad", fail: func(int) error { return &StatusError{Code: 503} }}
	d, _ := New([]Backend{{Core: bad}}, Options{Backoff: 1, FailureThreshold: 100})
	told := 0
	call := &Call{Caller: Caller{Agent: "dave"}}
	ctx := WithCall(WithNotices(context.Background(), func(Notice) { told++ }), call)
	if _, err := d.Generate(ctx, ask("hi"), nil); err == nil {
		t.Fatal("a failing core gave no error")
	}
	if call.Charged || call.Receipt != (Receipt{}) || told != 0 {
		t.Errorf("after a failure: receipt %+v, charged %v, %d notices underneath; want none", call.Receipt, call.Charged, told)
	}
}
