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

// emptyJSON is how an entry without arguments or obligations stores them.
const emptyJSON = "{}"

// newRow redacts e and serializes it. Most decisions carry no arguments and no obligations
// (every cached aios.output, for one), so those skip redaction and the JSON encoder.
func newRow(e Entry) (row, error) {
	args, reason := emptyJSON, e.Reason
	if len(e.Args) > 0 {
		redacted, secrets := redact(e.Args, e.Obligations.Redact)
		a, err := json.Marshal(redacted)
		if err != nil {
			return row{}, fmt.Errorf("encode args: %w", err)
		}
		args, reason = string(a), scrub(e.Reason, secrets)
	}
	obligations, err := encodeObligations(e.Obligations)
	if err != nil {
		return row{}, err
	}
	t := e.Time
	if t.IsZero() {
		t = time.Now()
	}
	return row{
		timeNS: t.UnixNano(), agent: e.Agent, version: e.Version, digest: e.Digest,
		publisher: e.Publisher, tenant: e.Tenant, call: e.Call, args: args,
		reason: reason, obligations: obligations, allow: e.Allow,
		cached: e.Cached, evalNS: int64(e.Eval),
	}, nil
}

// encodeObligations is o as JSON, "{}" when o asks for nothing.
func encodeObligations(o policy.Obligations) (string, error) {
	if o.MaxTokens == 0 && o.CoreClass == "" && !o.Confirm && len(o.Redact) == 0 {
		return emptyJSON, nil
	}
	b, err := json.Marshal(o)
	if err != nil {
		return "", fmt.Errorf("encode obligations: %w", err)
	}
	return string(b), nil
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
