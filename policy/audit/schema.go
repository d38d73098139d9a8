package audit

import (
	"context"
	"database/sql"
	"fmt"
)

// schemaVersion is stored in PRAGMA user_version; a store written by a newer aios is refused.
const schemaVersion = 1

// schema creates the decisions table. Times and durations are nanoseconds; args and
// obligations are JSON; allow and cached are 0 or 1.
const schema = `
CREATE TABLE IF NOT EXISTS decisions (
	id          INTEGER PRIMARY KEY,
	time_ns     INTEGER NOT NULL,
	agent       TEXT    NOT NULL,
	version     TEXT    NOT NULL,
	digest      TEXT    NOT NULL,
	publisher   TEXT    NOT NULL,
	tenant      TEXT    NOT NULL,
	call        TEXT    NOT NULL,
	args        TEXT    NOT NULL,
	allow       INTEGER NOT NULL,
	reason      TEXT    NOT NULL,
	obligations TEXT    NOT NULL,
	eval_ns     INTEGER NOT NULL,
	cached      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_time ON decisions (time_ns);
CREATE INDEX IF NOT EXISTS decisions_agent_time ON decisions (agent, time_ns);
`

func migrate(ctx context.Context, db *sql.DB) error {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > schemaVersion {
		return fmt.Errorf("audit store has schema version %d; this aios understands up to %d", v, schemaVersion)
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
		return fmt.Errorf("write schema version: %w", err)
	}
	return nil
}
