package storage

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/aiosys/aios/kernel/space"
	"github.com/aiosys/aios/kernel/writekey"
)

// queueSize bounds the writes waiting for the writer; a write blocks beyond it.
const queueSize = 1024

// maxBatch bounds the writes committed in one transaction.
const maxBatch = 256

// writeRequest is one write queued for the writer goroutine.
type writeRequest struct {
	ctx    context.Context
	op     string
	sp     space.Space
	key    string
	c      change
	wk     *writekey.Key    // the write key of a durable run's write; nil for none
	result chan writeResult // buffered, so the writer never waits for the requester
}

type writeResult struct {
	v   Version
	err error
}

// write checks its arguments, queues the write and waits for its result.
//
// Writes are applied by one goroutine (Store.run), which commits whatever is queued as one
// transaction (group commit): concurrent writers share an fsync instead of queueing for one
// each. Each write runs inside its own savepoint, so one that fails (ErrNotFound, ErrQuota)
// leaves the others of its batch alone, and each sees the writes queued before it, so quotas
// hold exactly. Once queued, a write is waited for whatever its context does: the writer may be
// committing it, and a write reported as failed must have changed nothing. A write whose
// context ends before the writer reaches it is skipped.
//
// A write whose context carries a write key (kernel/writekey) is applied once for that key: the
// key is recorded in the write's savepoint, and a write that finds it recorded changes nothing
// and returns the version the first one made.
func (s *Store) write(ctx context.Context, op string, sp space.Space, key string, c change) (Version, error) {
	if err := s.open(); err != nil {
		return 0, err
	}
	if err := checkSpace(sp); err != nil {
		return 0, fmt.Errorf("storage %s: %w", op, err)
	}
	if err := s.checkKey(key); err != nil {
		return 0, fmt.Errorf("storage %s: %w", op, err)
	}
	req := &writeRequest{ctx: ctx, op: op, sp: sp, key: key, c: c, result: make(chan writeResult, 1)}
	if k, ok := writekey.From(ctx); ok {
		if err := k.Check(); err != nil {
			return 0, fmt.Errorf("storage %s %s: %w: %w", op, quoteKey(key), ErrInvalid, err)
		}
		wk := k // a copy declared here, so that an unkeyed write allocates nothing for it
		req.wk = &wk
	}
	if err := s.enqueue(ctx, req); err != nil {
		return 0, fmt.Errorf("storage %s %s: %w", op, quoteKey(key), err)
	}
	r := <-req.result
	if r.err != nil {
		return 0, fmt.Errorf("storage %s %s: %w", op, quoteKey(key), r.err)
	}
	return r.v, nil
}

// enqueue hands req to the writer, unless the store is closed or ctx ends first.
func (s *Store) enqueue(ctx context.Context, req *writeRequest) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed.Load() {
		return ErrClosed
	}
	select {
	case s.reqs <- req:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run is the writer goroutine: it commits the queued writes in batches until Close closes the
// queue, and then closes done.
func (s *Store) run() {
	defer close(s.done)
	for req := range s.reqs {
		batch := []*writeRequest{req}
	drain:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.commit(batch)
	}
}

// commit applies a batch in one transaction and answers every request of it.
func (s *Store) commit(batch []*writeRequest) {
	results := make([]writeResult, len(batch))
	err := s.commitBatch(batch, results)
	for i, req := range batch {
		r := results[i]
		if err != nil && r.err == nil {
			r = writeResult{err: err}
		}
		req.result <- r
	}
}

// commitBatch runs the batch's transaction, filling in results; an error from it fails every
// write of the batch (none of them was committed).
func (s *Store) commitBatch(batch []*writeRequest, results []writeResult) (err error) {
	// One writer's context must not abort the transaction that holds the others' writes.
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	for i, req := range batch {
		if err := req.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT write`); err != nil {
			return err
		}
		v, err := s.apply(ctx, tx, req)
		if err != nil {
			results[i].err = err
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO write`); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `RELEASE write`); err != nil {
			return err
		}
		results[i].v = v
	}
	return tx.Commit()
}

// apply makes req's write inside tx: it appends the version and records the write key, or,
// for a key already recorded, returns the version recorded with it and changes nothing.
func (s *Store) apply(ctx context.Context, tx *sql.Tx, req *writeRequest) (Version, error) {
	if req.wk == nil {
		return s.appendVersion(ctx, tx, req.sp, req.key, req.c)
	}
	if v, ok, err := recordedWrite(ctx, tx, req.sp, *req.wk, req.op, req.key); ok || err != nil {
		return v, err
	}
	v, err := s.appendVersion(ctx, tx, req.sp, req.key, req.c)
	if err != nil {
		return 0, err
	}
	return v, recordWrite(ctx, tx, req.sp, *req.wk, req.op, req.key, v)
}
