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
		a, err := json.Marshal(boundArgs(redacted))
		if err != nil {
			return row{}, fmt.Errorf("encode args: %w", err)
		}
		if args, err = boundJSON(string(a), maxArgsJSON); err != nil {
			return row{}, fmt.Errorf("encode args: %w", err)
		}
		reason = scrub(e.Reason, secrets)
	}
	obligations, err := encodeObligations(e.Obligations)
	if err != nil {
		return row{}, err
	}
	if obligations, err = boundJSON(obligations, maxObligations); err != nil {
		return row{}, fmt.Errorf("encode obligations: %w", err)
	}
	t := e.Time
	if t.IsZero() {
		t = time.Now()
	}
	return row{
		timeNS: t.UnixNano(), agent: Truncate(e.Agent, maxIdentity), version: Truncate(e.Version, maxIdentity),
		digest: Truncate(e.Digest, maxIdentity), publisher: Truncate(e.Publisher, maxIdentity),
		tenant: Truncate(e.Tenant, maxIdentity), call: Truncate(e.Call, maxIdentity), args: args,
		reason: Truncate(reason, maxReason), obligations: obligations, allow: e.Allow,
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

// rowOverhead approximates what a row costs beyond its text: numbers, record header, index
// entries.
const rowOverhead = 64

// size approximates the bytes r takes in the store.
func (r *row) size() int64 {
	return int64(len(r.agent)+len(r.version)+len(r.digest)+len(r.publisher)+len(r.tenant)+
		len(r.call)+len(r.args)+len(r.reason)+len(r.obligations)) + rowOverhead
}
