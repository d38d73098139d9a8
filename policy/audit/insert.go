package audit

import (
	"context"
	"database/sql"
	"fmt"
)

// inserter writes batches of rows on the writer goroutine's own connection, with its
// statements prepared once (see statements). It is not safe for concurrent use.
type inserter struct {
	conn *sql.Conn
	// beginTx and commitTx open and commit a transaction. Prepared once, they save SQLite parsing
	// them again for every commit, which cost about a tenth of the writer's time per commit
	// when entries arrive one at a time.
	beginTx, commitTx *sql.Stmt
	general           [len(chunkSizes)]*sql.Stmt
	uniform           [len(chunkSizes)]*sql.Stmt
	args              []any // reused for every statement's values
}

// newInserter takes a connection from db for the writer and prepares its statements.
func newInserter(ctx context.Context, db *sql.DB) (*inserter, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("writer connection: %w", err)
	}
	ins := &inserter{conn: conn, args: make([]any, 0, chunkSizes[0]*numColumns)}
	if ins.beginTx, err = conn.PrepareContext(ctx, "BEGIN"); err != nil {
		ins.close()
		return nil, fmt.Errorf("prepare begin: %w", err)
	}
	if ins.commitTx, err = conn.PrepareContext(ctx, "COMMIT"); err != nil {
		ins.close()
		return nil, fmt.Errorf("prepare commit: %w", err)
	}
	for i, n := range chunkSizes {
		if ins.general[i], err = conn.PrepareContext(ctx, generalInsert(n)); err != nil {
			ins.close()
			return nil, fmt.Errorf("prepare insert of %d rows: %w", n, err)
		}
		if ins.uniform[i], err = conn.PrepareContext(ctx, uniformInsert(n)); err != nil {
			ins.close()
			return nil, fmt.Errorf("prepare insert of %d uniform rows: %w", n, err)
		}
	}
	return ins, nil
}

// commit inserts rows in one transaction, which commits them durably (synchronous=FULL).
func (ins *inserter) commit(ctx context.Context, rows []*row) error {
	if _, err := ins.beginTx.ExecContext(ctx); err != nil {
		return fmt.Errorf("audit commit: begin: %w", err)
	}
	err := ins.insert(ctx, rows)
	if err == nil {
		if _, err = ins.commitTx.ExecContext(ctx); err != nil {
			err = fmt.Errorf("commit: %w", err)
		}
	}
	if err != nil {
		if _, rerr := ins.conn.ExecContext(ctx, "ROLLBACK"); rerr != nil {
			return fmt.Errorf("audit commit: %w (and roll back: %v)", err, rerr)
		}
		return fmt.Errorf("audit commit: %w", err)
	}
	return nil
}

// insert writes rows in order: each run of at least minUniformRun rows that differ only in
// their numbers with the uniform statements, everything else with the general ones.
func (ins *inserter) insert(ctx context.Context, rows []*row) error {
	start := 0 // the first row not yet written
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j].sameText(rows[i]) {
			j++
		}
		if j-i >= minUniformRun {
			if err := ins.chunks(ctx, rows[start:i], false); err != nil {
				return err
			}
			if err := ins.chunks(ctx, rows[i:j], true); err != nil {
				return err
			}
			start = j
		}
		i = j
	}
	return ins.chunks(ctx, rows[start:], false)
}

// chunks writes rows with as many statements of the largest chunk size as fit, then the
// smaller ones. When uniform, every row has the first's text (sameText), which is bound once
// per statement.
func (ins *inserter) chunks(ctx context.Context, rows []*row, uniform bool) error {
	for i, n := range chunkSizes {
		for len(rows) >= n {
			args, stmt := ins.args[:0], ins.general[i]
			if uniform {
				args, stmt = rows[0].appendText(args), ins.uniform[i]
			}
			for _, r := range rows[:n] {
				if uniform {
					args = r.appendNumbers(args)
				} else {
					args = r.appendAll(args)
				}
			}
			_, err := stmt.ExecContext(ctx, args...)
			clear(args) // drop the strings until the next statement
			if err != nil {
				return fmt.Errorf("insert %d rows: %w", n, err)
			}
			rows = rows[n:]
		}
	}
	return nil
}

// close releases the statements and the connection.
func (ins *inserter) close() {
	for _, s := range []*sql.Stmt{ins.beginTx, ins.commitTx} {
		if s != nil {
			_ = s.Close()
		}
	}
	for i := range chunkSizes {
		for _, s := range []*sql.Stmt{ins.general[i], ins.uniform[i]} {
			if s != nil {
				_ = s.Close()
			}
		}
	}
	_ = ins.conn.Close()
}
