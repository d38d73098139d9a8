package audit

import (
	"context"
	"time"
)

// loneEntryWait is how long the writer holds a lone entry before committing it, in case another
// follows. A tool call records two entries, its decision and then its outcome, a few hundred
// microseconds apart; committing each alone costs a full fsync and about 140 µs of the writer's
// CPU, taken from the call on a machine with few cores. Waiting lets both share one commit.
// Durability is asynchronous already, so the wait only widens by at most this long the window in
// which a crash loses what Record accepted; a Sync, Prune or Close ends it at once.
const loneEntryWait = time.Millisecond

// withLoneEntryWait makes the writer hold a lone entry for up to d instead (tests).
func withLoneEntryWait(d time.Duration) Option { return func(o *options) { o.loneEntryWait = d } }

// write is the writer goroutine: it takes everything queued, commits it as one transaction
// (in parts, when a retention size bound needs checks in between), acknowledges the barriers
// among it, and ends when the queue is closed and drained.
func (l *Log) write(ins *inserter, ret *retainer, wait time.Duration) {
	defer close(l.done)
	defer ins.close()
	batch := make([]request, 0, maxBatch)
	rows := make([]*row, 0, maxBatch)
	timer := time.NewTimer(wait)
	timer.Stop() // started by each lone entry
	for {
		first, ok := <-l.reqs
		if !ok {
			return
		}
		batch = append(batch[:0], first)
		open := l.drain(&batch)
		if open && len(batch) == 1 && first.ack == nil {
			// A lone entry: wait for another request, or until wait passes.
			timer.Reset(wait)
			select {
			case r, more := <-l.reqs:
				if more {
					batch = append(batch, r)
					open = l.drain(&batch)
				} else {
					open = false
				}
			case <-timer.C:
			}
			timer.Stop()
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

// drain appends to batch what is queued, up to maxBatch requests, without waiting. It reports
// false when it found the queue closed.
func (l *Log) drain(batch *[]request) bool {
	for len(*batch) < maxBatch {
		select {
		case r, more := <-l.reqs:
			if !more {
				return false
			}
			*batch = append(*batch, r)
		default:
			return true
		}
	}
	return true
}
