package server

import (
	"net/http"
	"strconv"

	"github.com/aiosys/aios/client"
)

const notFound = "no such run"

// listRuns is GET /v1/runs: the tenant's runs, oldest first.
func (s *Server) listRuns(w http.ResponseWriter, _ *http.Request, tenant string) {
	out := []client.Run{}
	for _, r := range s.runs.list(tenant) {
		out = append(out, r.view())
	}
	writeJSON(w, http.StatusOK, out)
}

// getRun is GET /v1/runs/{id}.
func (s *Server) getRun(w http.ResponseWriter, r *http.Request, tenant string) {
	run, ok := s.runs.get(tenant, r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, notFound)
		return
	}
	writeJSON(w, http.StatusOK, run.view())
}

// cancelRun is DELETE /v1/runs/{id}: it asks the run to stop (a call or sleep in progress ends
// at once) and answers 202 without waiting; a run that has ended is 409.
func (s *Server) cancelRun(w http.ResponseWriter, r *http.Request, tenant string) {
	run, ok := s.runs.get(tenant, r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, notFound)
		return
	}
	if _, ended := run.finalOutput(); ended {
		writeError(w, http.StatusConflict, "the run has already ended")
		return
	}
	run.cancel(errCanceled)
	writeJSON(w, http.StatusAccepted, run.view())
}

// getOutput is GET /v1/runs/{id}/output: the run's output bytes once it has ended; 409 before.
func (s *Server) getOutput(w http.ResponseWriter, r *http.Request, tenant string) {
	run, ok := s.runs.get(tenant, r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, notFound)
		return
	}
	out, ended := run.finalOutput()
	if !ended {
		writeError(w, http.StatusConflict, "the run has not ended yet; its output is complete when it has")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}
