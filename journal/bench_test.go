package journal

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	_ "modernc.org/sqlite" // the alternative the file journal was measured against
)

// benchRecord is the size of a typical journaled call (a clock read or a small result).
var benchRecord = make([]byte, 200)

// BenchmarkAppend measures one append of benchRecord by many runs at once (RunParallel with
// 16 goroutines per core), each its own run, through the file journal: group commit, one
// write(2) per run per batch.
func BenchmarkAppend(b *testing.B) {
	for _, fsync := range []bool{false, true} {
		b.Run(fmt.Sprintf("file/fsync=%v", fsync), func(b *testing.B) {
			s, err := Open(b.TempDir(), Options{Fsync: fsync, MaxRunBytes: 1 << 40})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var n atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				id := fmt.Sprintf("bench-%d", n.Add(1))
				if err := s.SaveRun(Run{ID: id}); err != nil {
					b.Error(err)
					return
				}
				w, err := s.OpenWriter(id)
				if err != nil {
					b.Error(err)
					return
				}
				defer w.Close()
				for pb.Next() {
					if err := w.Append(benchRecord); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
		b.Run(fmt.Sprintf("sqlite-wal/fsync=%v", fsync), func(b *testing.B) {
			benchSQLite(b, fsync)
		})
	}
}

// sqliteJournal is the design not chosen: one WAL table (run, seq, record) written by a
// group-committing goroutine, one transaction per batch.
type sqliteJournal struct {
	db   *sql.DB
	reqs chan sqliteReq
	wg   sync.WaitGroup
}

type sqliteReq struct {
	run  string
	seq  int
	rec  []byte
	done chan error
}

func benchSQLite(b *testing.B, fsync bool) {
	sync := "OFF" // WAL with synchronous OFF: a commit is a write(2) to the WAL, as the file journal's
	if fsync {
		sync = "FULL"
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "journal.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous("+sync+")")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE calls (run TEXT, seq INTEGER, rec BLOB, PRIMARY KEY (run, seq))`); err != nil {
		b.Fatal(err)
	}
	j := &sqliteJournal{db: db, reqs: make(chan sqliteReq, maxBatch)}
	j.wg.Go(j.loop)
	defer func() { close(j.reqs); j.wg.Wait(); _ = db.Close() }()
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := fmt.Sprintf("bench-%d", n.Add(1))
		for seq := 0; pb.Next(); seq++ {
			r := sqliteReq{run: id, seq: seq, rec: benchRecord, done: make(chan error, 1)}
			j.reqs <- r
			if err := <-r.done; err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func (j *sqliteJournal) loop() {
	ctx := context.Background()
	for first := range j.reqs {
		batch := []sqliteReq{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-j.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		err := j.commit(ctx, batch)
		for _, r := range batch {
			r.done <- err
		}
	}
}

func (j *sqliteJournal) commit(ctx context.Context, batch []sqliteReq) error {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO calls (run, seq, rec) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	for _, r := range batch {
		if _, err := st.ExecContext(ctx, r.run, r.seq, r.rec); err != nil {
			return err
		}
	}
	return tx.Commit()
}
