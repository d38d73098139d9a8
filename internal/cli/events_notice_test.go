package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/dispatch"
)

// A retry or failover is one line of aios's own, even in the middle of streamed text.
func TestEventPrinterShowsRetryAndFailover(t *testing.T) {
	retry := dispatch.Notice{Kind: dispatch.NoticeRetry, Core: "local", Attempt: 1, MaxAttempts: 4,
		Wait: 250 * time.Millisecond, Reason: "request to http://127.0.0.1:1/v1 failed: connection refused"}
	failover := dispatch.Notice{Kind: dispatch.NoticeFailover, Core: "local", To: "sim"}
	for _, tty := range []bool{false, true} {
		var out bytes.Buffer
		p := newEventPrinter(&out, tty, false)
		p.event(kernel.Event{PID: 1, Name: "hello", Kind: kernel.EventToken, Text: "partial"})
		p.event(kernel.Event{PID: 1, Name: "hello", Kind: kernel.EventRetry, Text: retry.String(), Notice: &retry})
		p.event(kernel.Event{PID: 1, Name: "hello", Kind: kernel.EventFailover, Text: failover.String(), Notice: &failover})
		p.flush()
		want := "llm: partial\n" +
			"aios: retry: core local, attempt 1/4 failed: request to http://127.0.0.1:1/v1 failed: connection refused; next try in 250ms\n" +
			"aios: failover: core local → core sim\n"
		if out.String() != want {
			t.Errorf("tty %v: printed\n%s\nwant\n%s", tty, out.String(), want)
		}
	}
}

func TestJSONPrinterShowsRetryAndFailover(t *testing.T) {
	retry := dispatch.Notice{Kind: dispatch.NoticeRetry, Core: "local", Attempt: 2, MaxAttempts: 4,
		Wait: 1500 * time.Millisecond, Reason: "HTTP 503"}
	failover := dispatch.Notice{Kind: dispatch.NoticeFailover, Core: "local", To: "sim"}
	var out bytes.Buffer
	p := newJSONPrinter(&out)
	p.event(kernel.Event{PID: 1, Name: "hello", Kind: kernel.EventRetry, Text: retry.String(), Notice: &retry})
	p.event(kernel.Event{PID: 1, Name: "hello", Kind: kernel.EventFailover, Text: failover.String(), Notice: &failover})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 ||
		!strings.HasPrefix(lines[0], `{"event":"retry","pid":1,"agent":"hello","text":"retry: core local, attempt 2/4 failed: HTTP 503; next try in 1.5s","core":"local","attempt":2,"max_attempts":4,"wait_ms":1500,"reason":"HTTP 503"}`) ||
		lines[1] != `{"event":"failover","pid":1,"agent":"hello","text":"failover: core local → core sim","core":"local","to":"sim"}` {
		t.Fatalf("printed:\n%s", out.String())
	}
}
