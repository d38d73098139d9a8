package audit

import (
	"context"
)

// write is the writer goroutine: it takes everything queued, commits it as one transaction
// (in parts, when a retention size bound needs checks in between), acknowledges the barriers
// among it, and ends when the queue is closed and drained.
func (l *Log) write(ins *inserter, ret *retainer) {
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
		prune := false
		for i := range batch {
			if batch[i].ack == nil {
				rows = append(rows, &batch[i].row)
			}
			prune = prune || batch[i].prune
		}
		// No deadline: a queued entry is written even when the caller that recorded it has
		// gone.
		err := l.failure()
		if err == nil {
			err = l.commit(context.Background(), ins, ret, rows)
		}
		if err == nil && prune {
			err = ret.enforce(context.Background())
		}
		if err != nil {
			l.fail(err)
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

// commit writes rows in transactions of at most the retention's check size (all in one without
// a size bound), enforcing the retention after each.
func (l *Log) commit(ctx context.Context, ins *inserter, ret *retainer, rows []*row) error {
	limit := ret.r.checkBytes()
	for len(rows) > 0 {
		n, size := 0, int64(0)
		for n < len(rows) && (limit == 0 || n == 0 || size+rows[n].size() <= limit) {
			size += rows[n].size()
			n++
		}
		if err := ins.commit(ctx, rows[:n]); err != nil {
			return err
		}
		if err := ret.committed(ctx, size); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
