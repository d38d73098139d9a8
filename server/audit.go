package server

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/policy/audit"
)

// Page sizes of GET /v1/audit.
const (
	DefaultAuditPage = 100
	MaxAuditPage     = 1000
)

// listAudit is GET /v1/audit: a page of the policy decisions on the tenant's agents, newest
// first, filtered by agent, call, decision, run and time; "before" pages back through older
// entries. A server without an audit log answers 404.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request, tenant string) {
	log := s.sys.Audit()
	if log == nil {
		writeError(w, http.StatusNotFound, "this server keeps no audit log ([policy] no_audit is set, or there is no data directory)")
		return
	}
	f, none, status, err := s.auditFilter(r, tenant)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	if none {
		writeJSON(w, http.StatusOK, client.AuditPage{Entries: []client.AuditEntry{}})
		return
	}
	entries, err := log.Query(r.Context(), f)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	page := client.AuditPage{Entries: make([]client.AuditEntry, 0, len(entries))}
	for i := len(entries) - 1; i >= 0; i-- {
		page.Entries = append(page.Entries, auditEntryOf(entries[i]))
	}
	if len(entries) == f.Limit && len(entries) > 0 {
		page.Next = entries[0].ID
	}
	writeJSON(w, http.StatusOK, page)
}

// auditFilter reads GET /v1/audit's query parameters; the tenant is always the caller's. none
// says no entry can match (a run and another agent's name).
func (s *Server) auditFilter(r *http.Request, tenant string) (f audit.Filter, none bool, status int, err error) {
	q := r.URL.Query()
	f = audit.Filter{Tenant: tenant, Agent: q.Get("agent"), Call: q.Get("call"), Limit: DefaultAuditPage}
	switch d := q.Get("decision"); d {
	case "":
	case "allow":
		f.Allowed = true
	case "deny":
		f.Denied = true
	default:
		return f, false, http.StatusBadRequest, fmt.Errorf("decision %s: use allow or deny", quote(d))
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return f, false, http.StatusBadRequest, fmt.Errorf("since %s: want an RFC 3339 time such as 2026-01-02T15:04:05Z", quote(v))
		}
		f.Since = t
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return f, false, http.StatusBadRequest, fmt.Errorf("before %s: want an entry id (a positive number, a page's next)", quote(v))
		}
		f.Before = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxAuditPage {
			return f, false, http.StatusBadRequest, fmt.Errorf("limit %s: want 1 to %d", quote(v), MaxAuditPage)
		}
		f.Limit = n
	}
	if id := q.Get("run"); id != "" {
		run, ok := s.runs.get(tenant, id)
		if !ok {
			return f, false, http.StatusNotFound, fmt.Errorf("%s %s", notFound, quote(id))
		}
		name, started, ended := run.window()
		if f.Agent != "" && f.Agent != name {
			return f, true, 0, nil
		}
		f.Agent = name
		if started.After(f.Since) {
			f.Since = started
		}
		f.Until = ended
	}
	return f, false, 0, nil
}

// window is the run's agent name and when it ran; ended is zero while it runs.
func (r *run) window() (name string, started, ended time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.name, r.started, r.ended
}

// auditEntryOf is a stored decision as the API shows it.
func auditEntryOf(e audit.Entry) client.AuditEntry {
	o := e.Obligations
	return client.AuditEntry{
		ID: e.ID, Time: e.Time.UTC(), Agent: e.Agent, Version: e.Version, Digest: e.Digest, Publisher: e.Publisher,
		Tenant: e.Tenant, Call: e.Call, Args: e.Args, Allow: e.Allow, Reason: e.Reason,
		Obligations: client.AuditObligations{MaxTokens: o.MaxTokens, CoreClass: o.CoreClass, Confirm: o.Confirm, Redact: o.Redact},
		EvalNS:      int64(e.Eval), Cached: e.Cached,
	}
}
