package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxReconnects is how many times in a row Events reconnects without receiving an event
// before it gives up.
const MaxReconnects = 5

// maxEventLine bounds one line of the event stream.
const maxEventLine = 16 << 20

// Events streams a run's events (GET /v1/runs/{id}/events) from the one after the event id
// after (0: from the first the server keeps), until the run's final status event. When the
// connection drops, or the server disconnects a client that fell behind, it reconnects with
// Last-Event-ID and goes on where it was; a gap event says when the server no longer had some
// events. It yields an error, and stops, when the stream cannot be resumed or ctx ends.
func (c *Client) Events(ctx context.Context, id string, after uint64) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		failures := 0
		for {
			progressed, final, err := c.streamOnce(ctx, id, after, func(e Event) bool {
				after = e.ID
				return yield(e, nil)
			})
			switch {
			case final || errors.Is(err, errStop):
				return
			case ctx.Err() != nil:
				yield(Event{}, ctx.Err())
				return
			}
			var apiErr *Error
			if errors.As(err, &apiErr) {
				yield(Event{}, err)
				return
			}
			if !progressed && err == nil {
				// An empty stream that ended cleanly: the run may have ended with the event
				// before after, in which case there is nothing more to wait for.
				if r, rerr := c.Run(ctx, id); rerr == nil && Final(r.Status) {
					return
				}
			}
			if progressed {
				failures = 0
			} else if failures++; failures > MaxReconnects {
				if err == nil {
					err = errors.New("the stream ended before the run did")
				}
				yield(Event{}, fmt.Errorf("kernel: events of %s: %w", id, err))
				return
			}
			select {
			case <-time.After(time.Duration(failures) * 100 * time.Millisecond):
			case <-ctx.Done():
				yield(Event{}, ctx.Err())
				return
			}
		}
	}
}

// errStop means the consumer stopped the iteration.
var errStop = errors.New("stopped")

// streamOnce reads one connection's events into emit. It reports whether any event came,
// and whether the run's final status event did.
func (c *Client) streamOnce(ctx context.Context, id string, after uint64, emit func(Event) bool) (progressed, final bool, err error) {
	h := http.Header{"Accept": {"text/event-stream"}}
	if after > 0 {
		h.Set("Last-Event-ID", strconv.FormatUint(after, 10))
	}
	resp, err := c.do(ctx, http.MethodGet, "/v1/runs/"+url.PathEscape(id)+"/events", nil, h, http.StatusOK)
	if err != nil {
		return false, false, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), maxEventLine)
	var data strings.Builder
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if data.Len() == 0 {
				continue
			}
			var e Event
			if err := json.Unmarshal([]byte(data.String()), &e); err != nil {
				return progressed, false, fmt.Errorf("decode an event: %w", err)
			}
			data.Reset()
			progressed = true
			if !emit(e) {
				return progressed, false, errStop
			}
			if e.Type == EventStatus && Final(e.Status) {
				return progressed, true, nil
			}
		case strings.HasPrefix(line, "data:"):
			data.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	return progressed, false, sc.Err()
}
