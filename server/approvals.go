package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/kernel"
)

// approvalStore holds the calls waiting for an operator's answer.
type approvalStore struct {
	mu      sync.Mutex
	pending map[string]*pendingApproval
}

// pendingApproval is one waiting call; answer receives the operator's decision once.
type pendingApproval struct {
	tenant string
	view   client.Approval
	answer chan bool
}

func newApprovalStore() *approvalStore {
	return &approvalStore{pending: map[string]*pendingApproval{}}
}

// errApprovalTimeout is why a call nobody answered in time is denied.
var errApprovalTimeout = errors.New("no approval was posted in time")

// confirmer returns r's kernel.Confirmer: each call that policy requires confirmation for is
// listed under GET /v1/approvals (and announced on the run's event stream) until it is answered
// with POST /v1/approvals/{id}, the run ends, or ApprovalTimeout passes, which denies it.
func (s *Server) confirmer(r *run) kernel.Confirmer {
	return func(ctx context.Context, c kernel.Confirmation) (bool, error) {
		p := &pendingApproval{tenant: r.tenant, answer: make(chan bool, 1), view: client.Approval{
			ID: newID("apr_"), RunID: r.id, Agent: c.Agent.Name, Call: c.Call, Args: c.Args, Created: time.Now().UTC()}}
		s.approvals.mu.Lock()
		s.approvals.pending[p.view.ID] = p
		s.approvals.mu.Unlock()
		defer func() {
			s.approvals.mu.Lock()
			delete(s.approvals.pending, p.view.ID)
			s.approvals.mu.Unlock()
		}()
		r.events.publish(client.Event{Type: client.EventApproval, Approval: p.view.ID,
			Text: fmt.Sprintf("%s asks to call %s; answer with POST /v1/approvals/%s", c.Agent.Name, c.Call, p.view.ID)})
		timer := time.NewTimer(s.opts.ApprovalTimeout)
		defer timer.Stop()
		select {
		case ok := <-p.answer:
			return ok, nil
		case <-timer.C:
			return false, errApprovalTimeout
		case <-ctx.Done():
			return false, context.Cause(ctx)
		}
	}
}

// listApprovals is GET /v1/approvals: the tenant's calls waiting for an answer, oldest first.
func (s *Server) listApprovals(w http.ResponseWriter, _ *http.Request, tenant string) {
	out := []client.Approval{}
	s.approvals.mu.Lock()
	for _, p := range s.approvals.pending {
		if p.tenant == tenant {
			out = append(out, p.view)
		}
	}
	s.approvals.mu.Unlock()
	slices.SortFunc(out, func(a, b client.Approval) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	writeJSON(w, http.StatusOK, out)
}

// answerApproval is POST /v1/approvals/{id} with {"approve": bool}. An approval that is not
// the tenant's, or no longer waits, is 404.
func (s *Server) answerApproval(w http.ResponseWriter, r *http.Request, tenant string) {
	var a client.Answer
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		writeError(w, http.StatusBadRequest, "request body: "+err.Error()+` (want {"approve": true} or {"approve": false})`)
		return
	}
	s.approvals.mu.Lock()
	p, ok := s.approvals.pending[r.PathValue("id")]
	if ok && p.tenant == tenant {
		delete(s.approvals.pending, p.view.ID)
	}
	s.approvals.mu.Unlock()
	if !ok || p.tenant != tenant {
		writeError(w, http.StatusNotFound, "no such approval waiting")
		return
	}
	p.answer <- a.Approve
	v := p.view
	v.Approved = &a.Approve
	writeJSON(w, http.StatusOK, v)
}
