package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// AuditEntry is one policy decision of the audit log (GET /v1/audit). Secret argument values
// were redacted before it was stored.
type AuditEntry struct {
	ID          int64            `json:"id"`
	Time        time.Time        `json:"time"`
	Agent       string           `json:"agent"`
	Version     string           `json:"version,omitempty"`
	Digest      string           `json:"digest,omitempty"`
	Publisher   string           `json:"publisher,omitempty"`
	Tenant      string           `json:"tenant"`
	Call        string           `json:"call"`
	Args        map[string]any   `json:"args,omitempty"`
	Allow       bool             `json:"allow"`
	Reason      string           `json:"reason"`
	Obligations AuditObligations `json:"obligations"`
	// EvalNS is how long the decision took, in nanoseconds.
	EvalNS int64 `json:"eval_ns"`
	Cached bool  `json:"cached"`
}

// AuditObligations are the conditions an allowed call had to respect.
type AuditObligations struct {
	MaxTokens int      `json:"max_tokens,omitempty"`
	CoreClass string   `json:"core_class,omitempty"`
	Confirm   bool     `json:"confirm,omitempty"`
	Redact    []string `json:"redact,omitempty"`
}

// AuditPage is a page of the audit log, newest first. Next, when not zero, is the Before of
// the next (older) page.
type AuditPage struct {
	Entries []AuditEntry `json:"entries"`
	Next    int64        `json:"next,omitempty"`
}

// AuditQuery selects audit entries; the zero value selects the newest page of all the
// caller's.
type AuditQuery struct {
	Agent string
	Call  string
	// Decision is "allow", "deny" or "" (both).
	Decision string
	// Run selects the decisions of the run's agent while the run ran.
	Run   string
	Since time.Time
	// Before is a page cursor: only entries older than this id (AuditPage.Next).
	Before int64
	// Limit is the page size; 0 is the server's default.
	Limit int
}

// Audit returns a page of the caller's audit log (GET /v1/audit).
func (c *Client) Audit(ctx context.Context, q AuditQuery) (AuditPage, error) {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("agent", q.Agent)
	set("call", q.Call)
	set("decision", q.Decision)
	set("run", q.Run)
	if !q.Since.IsZero() {
		v.Set("since", q.Since.UTC().Format(time.RFC3339Nano))
	}
	if q.Before != 0 {
		v.Set("before", strconv.FormatInt(q.Before, 10))
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	path := "/v1/audit"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	var p AuditPage
	err := c.call(ctx, http.MethodGet, path, nil, http.StatusOK, &p)
	return p, err
}
