package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aiosys/aios/client"
)

// streamEvents is GET /v1/runs/{id}/events: server-sent events, each with its id, from the
// event after Last-Event-ID (or the first kept one). The stream ends after the run's final
// status event; a client that falls behind is disconnected and resumes with Last-Event-ID.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request, tenant string) {
	run, ok := s.runs.get(tenant, r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, notFound)
		return
	}
	var after uint64
	if h := strings.TrimSpace(r.Header.Get("Last-Event-ID")); h != "" {
		n, err := strconv.ParseUint(h, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("Last-Event-ID %s: want an event id (a decimal number)", quote(h)))
			return
		}
		after = n
	}
	backlog, sub := run.events.subscribe(after)
	if sub != nil {
		defer run.events.unsubscribe(sub)
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(e client.Event) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
		data, err := json.Marshal(e)
		if err != nil {
			return false
		}
		if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.ID, e.Type, data); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if len(backlog) == 0 {
		_ = rc.Flush()
	}
	for _, e := range backlog {
		if !send(e) {
			return
		}
	}
	if sub == nil {
		return
	}
	for {
		select {
		case e, ok := <-sub.ch:
			if !ok {
				if sub.behind {
					hangUp(rc) // it resumes from its last id
				}
				return // the run ended
			}
			if !send(e) {
				return
			}
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
	}
}

// hangUp closes the connection of a stream whose client fell behind. Ending the response alone
// would leave a client that never reads holding the connection, with what the server wrote
// waiting in its buffers. Where the connection cannot be taken over (HTTP/2), the stream just
// ends.
func hangUp(rc *http.ResponseController) {
	if conn, _, err := rc.Hijack(); err == nil {
		_ = conn.Close()
	}
}
