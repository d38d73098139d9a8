package llm

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryAfter reads how long a backend asked the client to wait before trying again: Anthropic's
// retry-after-ms when present, else the standard Retry-After (RFC 9110, section 10.2.3) as
// seconds or as an HTTP date relative to now. It is zero when the headers say nothing usable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && ms < float64(maxRetryAfter/time.Millisecond) {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 || s >= float64(maxRetryAfter/time.Second) {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 && d < maxRetryAfter {
			return d
		}
	}
	return 0
}

// maxRetryAfter bounds the wait a backend can ask for; a larger value is taken as garbage, not as
// a reason to park a request for a day.
const maxRetryAfter = time.Hour
