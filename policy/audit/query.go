package audit

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Filter selects entries. The zero value selects all.
type Filter struct {
	Agent   string    // only this agent's decisions
	Tenant  string    // only decisions on this tenant's agents
	Call    string    // only decisions on this call
	Denied  bool      // only denials
	Allowed bool      // only allowed calls
	Since   time.Time // only decisions at or after this time
	Until   time.Time // only decisions at or before this time
	Before  int64     // only entries whose ID is below this one (a page's cursor); 0: any
	Limit   int       // at most this many, the newest; 0 means no limit
}

const selectEntries = `SELECT id, time_ns, agent, version, digest, publisher, tenant, call, args,
	allow, reason, obligations, eval_ns, cached
	FROM decisions
	WHERE (?1 = '' OR agent = ?1) AND (?2 = 0 OR allow = 0) AND time_ns >= ?3
		AND (?5 = '' OR tenant = ?5) AND (?6 = '' OR call = ?6) AND (?7 = 0 OR allow = 1)
		AND (?8 = 0 OR time_ns <= ?8) AND (?9 <= 0 OR id < ?9)
	ORDER BY id DESC LIMIT ?4`

// Query returns the entries f selects, oldest first. It syncs first, so every entry recorded
// before the call is included.
func (l *Log) Query(ctx context.Context, f Filter) ([]Entry, error) {
	if err := l.Sync(ctx); err != nil {
		return nil, err
	}
	var since int64
	if !f.Since.IsZero() {
		since = f.Since.UnixNano()
	}
	var until int64
	if !f.Until.IsZero() {
		until = f.Until.UnixNano()
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := l.db.QueryContext(ctx, selectEntries, f.Agent, f.Denied, since, limit,
		f.Tenant, f.Call, f.Allowed, until, f.Before)
	if err != nil {
		return nil, fmt.Errorf("audit query: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var id int64
		var r row
		if err := rows.Scan(&id, &r.timeNS, &r.agent, &r.version, &r.digest, &r.publisher, &r.tenant,
			&r.call, &r.args, &r.allow, &r.reason, &r.obligations, &r.evalNS, &r.cached); err != nil {
			return nil, fmt.Errorf("audit query: %w", err)
		}
		e, err := r.entry(id)
		if err != nil {
			return nil, fmt.Errorf("audit query: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit query: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}
