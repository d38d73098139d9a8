package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
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

// selectEntries is the query before its conditions; where adds only the filters in use, so
// that SQLite can walk an index (decisions_tenant, decisions_agent) rather than every row to
// find a rare tenant's or agent's entries.
const selectEntries = `SELECT id, time_ns, agent, version, digest, publisher, tenant, call, args,
	allow, reason, obligations, eval_ns, cached
	FROM decisions`

// where is f as a WHERE clause (empty when f selects all) and its arguments.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if f.Agent != "" {
		add("agent = ?", f.Agent)
	}
	if f.Tenant != "" {
		add("tenant = ?", f.Tenant)
	}
	if f.Call != "" {
		add("call = ?", f.Call)
	}
	if f.Denied {
		add("allow = ?", 0)
	}
	if f.Allowed {
		add("allow = ?", 1)
	}
	if !f.Since.IsZero() {
		add("time_ns >= ?", f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		add("time_ns <= ?", f.Until.UnixNano())
	}
	if f.Before > 0 {
		add("id < ?", f.Before)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Query returns the entries f selects, oldest first. It syncs first, so every entry recorded
// before the call is included.
func (l *Log) Query(ctx context.Context, f Filter) ([]Entry, error) {
	if err := l.Sync(ctx); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	where, args := f.where()
	rows, err := l.db.QueryContext(ctx, selectEntries+where+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
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
