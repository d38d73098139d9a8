package audit

import (
	"context"
	"database/sql"
	"fmt"
)

// schemaVersion is stored in PRAGMA user_version; a store written by a newer aios is refused.
const schemaVersion = 2

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
CREATE INDEX IF NOT EXISTS decisions_tenant ON decisions (tenant);
`

// migrate creates or upgrades the schema. Version 2 changed no table, only the store's
// auto_vacuum mode to incremental, so that retention can give deleted entries' pages back to
// the file system; a store of version 1 is rewritten once (VACUUM) to switch it.
func migrate(ctx context.Context, db *sql.DB) error {
	// auto_vacuum is per connection until VACUUM or the first table makes it stick, so the
	// whole migration runs on one.
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	var v, vacuum int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > schemaVersion {
		return fmt.Errorf("audit store has schema version %d; this aios understands up to %d", v, schemaVersion)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA auto_vacuum").Scan(&vacuum); err != nil {
		return fmt.Errorf("read auto_vacuum: %w", err)
	}
	if vacuum != autoVacuumIncremental {
		if _, err := conn.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
			return fmt.Errorf("set auto_vacuum: %w", err)
		}
		if _, err := conn.ExecContext(ctx, "VACUUM"); err != nil {
			return fmt.Errorf("switch to incremental vacuum: %w", err)
		}
	}
	if _, err := conn.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
		return fmt.Errorf("write schema version: %w", err)
	}
	return nil
}

// autoVacuumIncremental is PRAGMA auto_vacuum's value for INCREMENTAL.
const autoVacuumIncremental = 2
