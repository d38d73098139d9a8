package audit

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aiosys/aios/policy"
)

// row is an entry as stored: redacted and serialized.
type row struct {
	timeNS                                    int64
	agent, version, digest, publisher, tenant string
	call, args, reason, obligations           string
	allow, cached                             bool
	evalNS                                    int64
}

// newRow redacts e and serializes it.
func newRow(e Entry) (*row, error) {
	args, secrets := redact(e.Args, e.Obligations.Redact)
	if args == nil {
		args = map[string]any{}
	}
	a, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("encode args: %w", err)
	}
	o, err := json.Marshal(e.Obligations)
	if err != nil {
		return nil, fmt.Errorf("encode obligations: %w", err)
	}
	t := e.Time
	if t.IsZero() {
		t = time.Now()
	}
	return &row{
		timeNS: t.UnixNano(), agent: e.Agent, version: e.Version, digest: e.Digest,
		publisher: e.Publisher, tenant: e.Tenant, call: e.Call, args: string(a),
		reason: scrub(e.Reason, secrets), obligations: string(o), allow: e.Allow,
		cached: e.Cached, evalNS: int64(e.Eval),
	}, nil
}

// entry reads a stored row back.
func (r *row) entry(id int64) (Entry, error) {
	e := Entry{
		ID: id, Time: time.Unix(0, r.timeNS), Agent: r.agent, Version: r.version, Digest: r.digest,
		Publisher: r.publisher, Tenant: r.tenant, Call: r.call, Allow: r.allow, Reason: r.reason,
		Eval: time.Duration(r.evalNS), Cached: r.cached,
	}
	if err := json.Unmarshal([]byte(r.args), &e.Args); err != nil {
		return Entry{}, fmt.Errorf("decode args of entry %d: %w", id, err)
	}
	var o policy.Obligations
	if err := json.Unmarshal([]byte(r.obligations), &o); err != nil {
		return Entry{}, fmt.Errorf("decode obligations of entry %d: %w", id, err)
	}
	e.Obligations = o
	return e, nil
}
