package server

import (
	"sync"

	"github.com/aiosys/aios/client"
)

// eventLog is one run's events: the most recent kept for streams that start or resume late,
// and the streams watching live. Publishing never blocks: a subscriber whose queue is full is
// dropped (its channel closed), and its client resumes with Last-Event-ID.
type eventLog struct {
	maxCount, maxBytes, queue int

	mu     sync.Mutex
	events []client.Event // ids first .. next-1
	bytes  int
	next   uint64 // id of the next event; ids start at 1
	subs   map[*subscriber]struct{}
	ended  bool
}

// subscriber is one stream's queue.
type subscriber struct {
	ch chan client.Event
	// behind is set, before ch is closed, when the subscriber was dropped for a full queue.
	behind bool
}

func newEventLog(maxCount, maxBytes, queue int) *eventLog {
	return &eventLog{maxCount: maxCount, maxBytes: maxBytes, queue: queue, next: 1, subs: map[*subscriber]struct{}{}}
}

// publish appends e (its id assigned here), evicts the oldest events past the bounds and hands
// e to every subscriber that has room.
func (l *eventLog) publish(e client.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return
	}
	e.ID = l.next
	l.next++
	l.events = append(l.events, e)
	l.bytes += len(e.Text)
	for len(l.events) > 1 && (len(l.events) > l.maxCount || l.bytes > l.maxBytes) {
		l.bytes -= len(l.events[0].Text)
		l.events[0] = client.Event{}
		l.events = l.events[1:]
	}
	for s := range l.subs {
		select {
		case s.ch <- e:
		default:
			delete(l.subs, s)
			s.behind = true
			close(s.ch)
		}
	}
}

// end publishes the run's last event and closes every subscriber.
func (l *eventLog) end(last client.Event) {
	l.publish(last)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ended = true
	for s := range l.subs {
		delete(l.subs, s)
		close(s.ch)
	}
}

// subscribe returns the kept events after id after, preceded by a gap event when some of those
// were evicted, and, unless the run has ended, a subscriber for what follows.
func (l *eventLog) subscribe(after uint64) (backlog []client.Event, sub *subscriber) {
	l.mu.Lock()
	defer l.mu.Unlock()
	first := l.next - uint64(len(l.events))
	if after+1 < first {
		backlog = append(backlog, client.Event{ID: first - 1, Type: client.EventGap, MissedFrom: after + 1, MissedTo: first - 1,
			Text: "events were evicted from the server's buffer before this stream read them"})
	}
	if after+1 < l.next {
		from := 0
		if after >= first {
			from = int(after + 1 - first)
		}
		backlog = append(backlog, l.events[from:]...)
	}
	if l.ended {
		return backlog, nil
	}
	sub = &subscriber{ch: make(chan client.Event, l.queue)}
	l.subs[sub] = struct{}{}
	return backlog, sub
}

// unsubscribe forgets sub, if it is still there.
func (l *eventLog) unsubscribe(sub *subscriber) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.subs[sub]; ok {
		delete(l.subs, sub)
		close(sub.ch)
	}
}

// kept returns how many events and text bytes the buffer holds.
func (l *eventLog) kept() (count, bytes int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events), l.bytes
}
