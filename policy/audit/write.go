package audit

import (
	"context"
)

// write is the writer goroutine: it takes everything queued, commits it as one transaction,
// acknowledges the barriers among it, and ends when the queue is closed and drained.
func (l *Log) write(ins *inserter) {
	defer close(l.done)
	defer ins.close()
	batch := make([]request, 0, maxBatch)
	rows := make([]*row, 0, maxBatch)
	for {
		first, ok := <-l.reqs
		if !ok {
			return
		}
		batch = append(batch[:0], first)
		open := true
	drain:
		for len(batch) < maxBatch {
			select {
			case r, more := <-l.reqs:
				if !more {
					open = false
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		rows = rows[:0]
		for i := range batch {
			if batch[i].ack == nil {
				rows = append(rows, &batch[i].row)
			}
		}
		err := l.failure()
		if err == nil && len(rows) > 0 {
			// No deadline: a queued entry is written even when the caller that recorded it
			// has gone.
			if err = ins.commit(context.Background(), rows); err != nil {
				l.fail(err)
			}
		}
		for i := range batch {
			if batch[i].ack != nil {
				batch[i].ack <- err
			}
			batch[i] = request{} // drop the strings until the slot is reused
		}
		if !open {
			return
		}
	}
}
