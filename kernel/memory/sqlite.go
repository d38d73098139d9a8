package memory

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/aiosys/aios/internal/sqlitedb"
	"github.com/aiosys/aios/kernel/space"
)

// schema: entries keyed by space; entry_meta, also keyed by space, for filtering with bound
// parameters; usage kept per space in the same transaction as each write; entries_fts an
// external-content FTS5 index maintained by triggers (its stoken column lets a match start
// from the space's own rows, so a search in a small space stays fast in a large store), and entries_vocab its document
// frequencies.
const schema = `
CREATE TABLE IF NOT EXISTS entries (
	n       INTEGER PRIMARY KEY,
	space   TEXT NOT NULL,
	stoken  TEXT NOT NULL, -- spaceToken(space), indexed by entries_fts
	id      TEXT NOT NULL UNIQUE,
	text    TEXT NOT NULL,
	meta    TEXT NOT NULL,
	bytes   INTEGER NOT NULL,
	vec     BLOB,
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_space ON entries(space, n);
CREATE TABLE IF NOT EXISTS entry_meta (
	space TEXT NOT NULL,
	key   TEXT NOT NULL,
	value TEXT NOT NULL,
	n     INTEGER NOT NULL,
	PRIMARY KEY (space, key, value, n)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entry_meta_n ON entry_meta(n);
CREATE TABLE IF NOT EXISTS usage (
	space   TEXT PRIMARY KEY,
	entries INTEGER NOT NULL,
	bytes   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5(text, stoken, content='entries', content_rowid='n');
CREATE VIRTUAL TABLE IF NOT EXISTS entries_vocab USING fts5vocab(entries_fts, row);
CREATE TRIGGER IF NOT EXISTS entries_ai AFTER INSERT ON entries BEGIN
	INSERT INTO entries_fts(rowid, text, stoken) VALUES (new.n, new.text, new.stoken);
END;
CREATE TRIGGER IF NOT EXISTS entries_ad AFTER DELETE ON entries BEGIN
	INSERT INTO entries_fts(entries_fts, rowid, text, stoken) VALUES ('delete', old.n, old.text, old.stoken);
END;
CREATE TRIGGER IF NOT EXISTS entries_au AFTER UPDATE OF text ON entries BEGIN
	INSERT INTO entries_fts(entries_fts, rowid, text, stoken) VALUES ('delete', old.n, old.text, old.stoken);
	INSERT INTO entries_fts(rowid, text, stoken) VALUES (new.n, new.text, new.stoken);
END;
`

// generations counts the writes to each space, so that a process whose cached vectors another
// process's write made stale knows it (see Store.vectors).
const generations = `
CREATE TABLE IF NOT EXISTS generations (
	space TEXT PRIMARY KEY,
	gen   INTEGER NOT NULL
) WITHOUT ROWID;
`

// migrations take a store from schema version i to i+1 (sqlitedb.Open).
var migrations = []sqlitedb.Migration{sqlitedb.Exec(schema), sqlitedb.Exec(generations), sqlitedb.Exec(writeKeys)}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// generation returns how many writes sp has had, in any process (0: none since generations
// were counted).
func generation(ctx context.Context, q querier, sp space.Space) (int64, error) {
	var g int64
	err := q.QueryRowContext(ctx, `SELECT gen FROM generations WHERE space = ?`, string(sp)).Scan(&g)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read generation: %w", err)
	}
	return g, nil
}

// recordedDim returns the store's recorded embedding dimension (0: none yet).
func recordedDim(ctx context.Context, db querier) (int, error) {
	var v string
	err := db.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'dim'`).Scan(&v)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read dimension: %w", err)
	}
	dim, err := strconv.Atoi(v)
	if err != nil || dim <= 0 {
		return 0, fmt.Errorf("corrupt recorded dimension %q", v)
	}
	return dim, nil
}

// spaceToken is sp as one FTS5 token: "s" and 32 hex digits of its SHA-256. A search matches it
// to narrow the index to sp's rows before scoring; isolation itself rests on the space column,
// which every query also requires.
func spaceToken(sp space.Space) string {
	h := sha256.Sum256([]byte(sp))
	return "s" + hex.EncodeToString(h[:16])
}
