package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Writer appends records to one run's journal through its Store's group-committing writer.
// Appends of one Writer are written in the order they were made when they come from one
// goroutine; a Writer is safe for concurrent use.
type Writer struct {
	s  *Store
	id string

	mu     sync.Mutex // guards closed against Close racing the store's writer
	f      *os.File
	size   int64 // bytes in the file, owned by the store's writer goroutine after open
	closed bool
}

type appendReq struct {
	w    *Writer
	rec  []byte
	done chan error
}

// OpenWriter opens run id's journal for appending, creating it if needed. Bytes after the last
// intact record (a record torn by a crash) are cut off first, so new records follow intact ones.
// The run's record must have been saved (SaveRun).
func (s *Store) OpenWriter(id string) (*Writer, error) {
	if _, err := s.Run(id); err != nil {
		return nil, err
	}
	path := filepath.Join(s.runDir(id), callsFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal of run %s: %w", id, err)
	}
	_, good, err := readFrames(f)
	if err == nil {
		err = f.Truncate(good)
	}
	if err == nil {
		_, err = f.Seek(good, 0)
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("open journal of run %s: %w", id, err)
	}
	return &Writer{s: s, id: id, f: f, size: good}, nil
}

// ID returns the run the Writer appends to.
func (w *Writer) ID() string { return w.id }

// Append writes rec as the run's next record and returns once it is written (and synced, with
// Options.Fsync). It fails with ErrRunFull when the record would take the journal past
// Options.MaxRunBytes, and with ErrClosed after the Store or the Writer was closed.
func (w *Writer) Append(rec []byte) error {
	req := &appendReq{w: w, rec: rec, done: make(chan error, 1)}
	w.s.mu.RLock()
	if w.s.closed {
		w.s.mu.RUnlock()
		return fmt.Errorf("append to run %s: %w", w.id, ErrClosed)
	}
	w.s.reqs <- req
	w.s.mu.RUnlock()
	return <-req.done
}

// Close closes the journal file. Appends still queued fail with ErrClosed.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	return w.f.Close()
}

// writeLoop is the Store's one writer: it takes every append queued, writes each run's records
// with one write(2), syncs when asked, then answers them all.
func (s *Store) writeLoop() {
	defer close(s.done)
	batch := make([]*appendReq, 0, maxBatch)
	for first := range s.reqs {
		batch = append(batch[:0], first)
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

// commit writes one batch, grouped by Writer in arrival order.
func (s *Store) commit(batch []*appendReq) {
	var order []*Writer
	byWriter := map[*Writer][]*appendReq{}
	for _, r := range batch {
		if _, ok := byWriter[r.w]; !ok {
			order = append(order, r.w)
		}
		byWriter[r.w] = append(byWriter[r.w], r)
	}
	for _, w := range order {
		w.commit(byWriter[w], s.opts)
	}
}

// commit writes reqs to w's file with one write and answers them.
func (w *Writer) commit(reqs []*appendReq, o Options) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		for _, r := range reqs {
			r.done <- fmt.Errorf("append to run %s: %w", w.id, ErrClosed)
		}
		return
	}
	var buf []byte
	var taken []*appendReq
	size := w.size
	for _, r := range reqs {
		n := int64(frameHeader + len(r.rec))
		if len(r.rec) > maxRecord || size+n > o.MaxRunBytes {
			r.done <- fmt.Errorf("append %d bytes to run %s: %w (%d of %d bytes used)", len(r.rec), w.id, ErrRunFull, size, o.MaxRunBytes)
			continue
		}
		buf = appendFrame(buf, r.rec)
		size += n
		taken = append(taken, r)
	}
	if len(taken) == 0 {
		return
	}
	_, err := w.f.Write(buf)
	if err == nil && o.Fsync {
		err = w.f.Sync()
	}
	if err != nil {
		// What was written of buf may be a torn record; the next OpenWriter cuts it off. This
		// writer is unusable from here, so that nothing is appended after a hole.
		w.closed = true
		_ = w.f.Close()
		err = fmt.Errorf("append to run %s: %w", w.id, err)
	} else {
		w.size = size
	}
	for _, r := range taken {
		r.done <- err
	}
}
