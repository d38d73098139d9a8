package kernelbench

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// RateLimiter is a reverse proxy that lets at most RPM requests per sliding minute through to
// an upstream server and answers the rest 429 Too Many Requests with a Retry-After header, as a
// provider enforcing a requests-per-minute limit does. Its window is the one the kernel's
// dispatcher keeps for a core's rpm, so a kernel configured with the same rpm is never refused.
type RateLimiter struct {
	rpm   int
	span  time.Duration
	proxy *httputil.ReverseProxy

	mu       sync.Mutex
	sent     []time.Time // admissions within the last span, oldest first
	refused  int
	admitted int
}

// NewRateLimiter returns a RateLimiter in front of upstream (a server's root, e.g.
// "http://127.0.0.1:8000") allowing rpm requests per minute.
func NewRateLimiter(upstream *url.URL, rpm int) *RateLimiter {
	return &RateLimiter{rpm: rpm, span: time.Minute, proxy: httputil.NewSingleHostReverseProxy(upstream)}
}

// ServeHTTP implements http.Handler: model listings pass freely, completions are counted.
func (l *RateLimiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if wait, ok := l.admit(time.Now()); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			http.Error(w, `{"error":{"message":"rate limit reached","type":"rate_limit_error","code":"rate_limit_exceeded"}}`, http.StatusTooManyRequests)
			return
		}
	}
	l.proxy.ServeHTTP(w, r)
}

// admit counts a request at now if it fits the window; otherwise it returns how long until one
// would.
func (l *RateLimiter) admit(now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := 0
	for i < len(l.sent) && !l.sent[i].Add(l.span).After(now) {
		i++
	}
	l.sent = l.sent[i:]
	if len(l.sent) >= l.rpm {
		l.refused++
		return l.sent[0].Add(l.span).Sub(now), false
	}
	l.sent = append(l.sent, now)
	l.admitted++
	return 0, true
}

// Counts returns how many completion requests were admitted and refused so far.
func (l *RateLimiter) Counts() (admitted, refused int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.admitted, l.refused
}
