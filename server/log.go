package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

// statusRecorder remembers the status a handler wrote; Unwrap lets http.ResponseController
// reach the connection (flushes and write deadlines on event streams).
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests gives every request an id, logs the request when it is done and echoes the id
// in the X-Request-Id response header. The id is the client's X-Request-Id when that is sane
// (see clientRequestID), else a new one; every record logged for the request carries it as
// request_id (see requestID).
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := clientRequestID(r.Header.Values("X-Request-Id"))
		if !ok {
			id = newID("req_")
		}
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		rec := &statusRecorder{ResponseWriter: w}
		start := time.Now()
		next.ServeHTTP(rec, r)
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		s.opts.Metrics.request(r.Pattern, status, time.Since(start))
		s.opts.Logger.Info("request", slog.String("request_id", id), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", status), slog.Duration("elapsed", time.Since(start)))
	})
}

// maxRequestID bounds the X-Request-Id a client may choose.
const maxRequestID = 64

// clientRequestID returns the request id a client sent, when it sent exactly one of at most
// maxRequestID printable ASCII characters without spaces; anything else (which could forge
// log lines or flood them) is replaced by a new id.
func clientRequestID(values []string) (string, bool) {
	if len(values) != 1 || values[0] == "" || len(values[0]) > maxRequestID {
		return "", false
	}
	for i := 0; i < len(values[0]); i++ {
		if c := values[0][i]; c <= ' ' || c > '~' {
			return "", false
		}
	}
	return values[0], true
}

// requestIDKey keys the request id in a request's context.
type requestIDKey struct{}

// requestID returns the id logRequests gave the request ctx belongs to, or "" outside one.
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// newID returns prefix and 24 random hex digits.
func newID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
