package audit

import (
	"context"
	"fmt"
)

// write is the writer goroutine: it takes everything queued, commits it as one transaction,
// acknowledges the barriers among it, and ends when the queue is closed and drained.
func (l *Log) write() {
	defer close(l.done)
	for {
		first, ok := <-l.reqs
		if !ok {
			return
		}
		batch := []request{first}
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
		err := l.failure()
		if err == nil {
			if err = l.commit(batch); err != nil {
				l.fail(err)
			}
		}
		for _, r := range batch {
			if r.ack != nil {
				r.ack <- err
			}
		}
		if !open {
			return
		}
	}
}

const insert = `INSERT INTO decisions
	(time_ns, agent, version, digest, publisher, tenant, call, args, allow, reason, obligations, eval_ns, cached)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// commit inserts the batch's rows in one transaction. It runs without a deadline: a queued
// entry is written even when the caller that recorded it has gone.
func (l *Log) commit(batch []request) error {
	ctx := context.Background()
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("audit commit: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	stmt, err := tx.PrepareContext(ctx, insert)
	if err != nil {
		return fmt.Errorf("audit commit: %w", err)
	}
	defer stmt.Close()
	for _, r := range batch {
		if r.row == nil {
			continue
		}
		w := r.row
		if _, err := stmt.ExecContext(ctx, w.timeNS, w.agent, w.version, w.digest, w.publisher, w.tenant,
			w.call, w.args, w.allow, w.reason, w.obligations, w.evalNS, w.cached); err != nil {
			return fmt.Errorf("audit commit: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("audit commit: %w", err)
	}
	return nil
}
