package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// NoticeKind says what a Notice reports.
type NoticeKind string

const (
	// NoticeRetry: a try failed in a way worth trying again; the generation waits Wait, then
	// tries again (on another core if one can serve it).
	NoticeRetry NoticeKind = "retry"
	// NoticeFailover: the generation moves from the core that failed it (Core) to another (To).
	NoticeFailover NoticeKind = "failover"
)

// Notice is something a generation went through that its caller may want to see as it
// happens: a retry or a failover.
type Notice struct {
	Kind        NoticeKind
	Core        string        // the core that failed
	To          string        // failover: the core that takes over
	Attempt     int           // retry: the failed try, from 1
	MaxAttempts int           // retry: tries allowed in all
	Wait        time.Duration // retry: the wait before the next try
	Reason      string        // retry: why the try failed, one line
}

// String is the notice as one line of text.
func (n Notice) String() string {
	if n.Kind == NoticeFailover {
		return fmt.Sprintf("failover: core %s → core %s", n.Core, n.To)
	}
	return fmt.Sprintf("retry: core %s, attempt %d/%d failed: %s; next try in %s",
		n.Core, n.Attempt, n.MaxAttempts, n.Reason, n.Wait.Round(time.Millisecond))
}

type noticeKey struct{}

// WithNotices returns ctx asking Generate to pass each retry and failover to fn as it happens,
// from the generating goroutine; fn must not block for long. The kernel turns them into process
// events, which `aios run` shows live.
func WithNotices(ctx context.Context, fn func(Notice)) context.Context {
	return context.WithValue(ctx, noticeKey{}, fn)
}

func notify(ctx context.Context, n Notice) {
	if c := callFrom(ctx); c != nil {
		if c.Notices != nil {
			c.Notices(n)
		}
		return
	}
	if fn, _ := ctx.Value(noticeKey{}).(func(Notice)); fn != nil {
		fn(n)
	}
}

// maxReason bounds a notice's reason: a backend's error message can be any size.
const maxReason = 200

// oneLine returns err's message as one line of printable text (a backend's message may hold
// terminal escapes), at most maxReason bytes, cut at a rune boundary.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, s)
	if len(s) <= maxReason {
		return s
	}
	cut := maxReason
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
