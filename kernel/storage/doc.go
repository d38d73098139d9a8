// Package storage is the storage manager: each agent's persistent key/value store, with every
// write kept as a version that can be listed and rolled back to.
//
// # Model
//
// A Store holds entries keyed by (space, key). The space comes from kernel/space, derived from
// the agent's identity by the caller; the agent never names it, and every row and every query
// is keyed by it, so two identities can never read, list or overwrite each other's entries
// whatever keys, prefixes or versions they pass.
//
// Every Put, Delete and Rollback appends a new version to its key; nothing rewrites or removes
// an old one. Versions of a key are numbered 1, 2, 3, … and each records the time it was
// written, from Limits.Now (injected, so that a journal can make runs deterministic). Times of
// one key never go backwards: a version written while the clock reads earlier than the previous
// version's time is stamped with that previous time. Delete appends a tombstone: Get and List no
// longer see the key, but History shows it and Rollback can bring back any earlier value.
// Rollback and RollbackTo append a copy of an earlier version (value or tombstone); the state
// at a time t is the newest version written at or before t.
//
// # Keys
//
// A key is 1 to Limits.MaxKeyBytes bytes of valid UTF-8 without NUL. Otherwise keys are
// opaque: "/" and "../" mean nothing, and keys compare (and List orders them) byte by byte.
// UTF-8 is required because keys travel to agents as JSON strings, where invalid UTF-8 cannot
// round-trip, and NUL because C-string APIs and logs truncate at it. Values are any bytes, empty
// included, up to Limits.MaxValueBytes.
//
// # Quotas
//
// Each space may hold at most Limits.MaxVersionsPerSpace versions (tombstones included) and
// Limits.MaxBytesPerSpace bytes (key plus value of every version). A write that would pass
// either fails with ErrQuota and changes nothing. Checks and writes are one transaction, and
// writes are serialized, so concurrent writers never overshoot a quota.
//
// # Durability
//
// A write that returned without error is committed to a SQLite store (internal/sqlitedb: WAL,
// synchronous FULL): it survives a kill of the process or a crash of the machine. A write that
// failed changed nothing. Reads see every write that returned before they began. Writes are
// applied by one goroutine that commits whatever is queued as one transaction (group commit),
// each write in its own savepoint, so concurrent writers share an fsync and one failing write
// leaves the others alone. A write's context can cancel it only until it is applied: a write
// still waiting for room in the queue returns at once, a queued one is skipped at its turn, and
// otherwise the call waits for the commit, so that a reported failure always means no change.
//
// # Write keys
//
// A write whose context carries a write key (kernel/writekey: a durable run's id, attempt and
// call index) is applied at most once for that key: the key and the version the write made are
// recorded in the write's own savepoint, and a write that finds its key recorded in its space
// changes nothing and returns that version. A resumed run thus makes again a write whose
// journal record a crash lost without applying it twice. ForgetRun removes a run's keys once
// it has ended. A write without a key is never deduplicated.
//
// # Errors
//
// Errors for the caller's input or state wrap one of ErrNotFound, ErrInvalid, ErrQuota or
// ErrClosed, so callers can map them to errnos with errors.Is; a call cancelled by its context
// wraps ctx.Err(); anything else is a failure of the disk or database. Messages quote at most
// the first few dozen bytes of a key.
//
// # Notes
//
// Versions are never pruned, so a space that reaches its quota stays full until an operator
// raises the quota; there is no call that forgets history.
package storage
