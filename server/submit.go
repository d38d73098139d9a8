package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/aiosys/aios"
	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/journal"
	"github.com/aiosys/aios/limits"
	"github.com/aiosys/aios/policy"
)

// submit is POST /v1/runs: it decodes and checks the request, loads the module, asks policy
// whether the agent may start, and starts it.
func (s *Server) submit(w http.ResponseWriter, r *http.Request, tenant string) {
	if s.draining.Load() {
		writeError(w, http.StatusServiceUnavailable, errDraining.Error())
		return
	}
	if s.atCapacity() {
		writeError(w, http.StatusTooManyRequests, errBusy.Error())
		return
	}
	req, status, err := s.decodeRunRequest(w, r)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	switch {
	case req.Path != "":
		if req.Name == "" {
			req.Name = strings.TrimSuffix(filepath.Base(req.Path), filepath.Ext(req.Path))
		}
		if req.Module, status, err = s.readModuleFile(req.Path); err != nil {
			writeError(w, status, err.Error())
			return
		}
	case req.Ref != "":
		if req.Module, status, err = s.pullRef(r.Context(), req.Ref); err != nil {
			writeError(w, status, err.Error())
			return
		}
	}
	mod, status, err := s.openModule(req)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	lim, err := s.runLimits(req.Limits, mod)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	restart, err := s.restartPolicy(req.Restart)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	for _, kv := range req.Env {
		if !strings.Contains(kv, "=") {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("env %s: want KEY=VALUE", quote(kv)))
			return
		}
	}
	identity := mod.identity(tenant)
	d, err := s.sys.Policy().Decide(r.Context(), policy.Input{Agent: identity, Call: policy.StartCall})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "policy: "+err.Error())
		return
	}
	if !d.Allow {
		writeError(w, http.StatusForbidden, "denied by policy: "+d.Reason)
		return
	}
	agent, err := s.agents.load(r.Context(), s.sys, mod.name, mod.wasm)
	if err != nil {
		if aios.IsRefused(err) {
			writeError(w, http.StatusBadRequest, "module refused: "+err.Error())
			return
		}
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	o := aios.RunOptions{
		Tenant: tenant, Priority: req.Priority, Input: []byte(req.Input), Args: req.Args, Env: req.Env,
		Limits: lim, Identity: identity,
	}
	run, err := s.start(r.Context(), tenant, mod.name, agent, o, func(id string) (runFunc, error) {
		return s.runner(agent, req.Module, journal.Run{ID: id, Restart: restart}, o)
	})
	if err != nil {
		s.agents.release(agent)
		status := http.StatusServiceUnavailable
		switch {
		case errors.Is(err, errBusy):
			status = http.StatusTooManyRequests
		case errors.Is(err, errJournal):
			status = http.StatusInternalServerError
		}
		writeError(w, status, err.Error())
		return
	}
	w.Header().Set("Location", "/v1/runs/"+run.ID)
	writeJSON(w, http.StatusCreated, run)
}

// atCapacity reports whether MaxActive runs are active: a request is then refused before its
// body is read and its module compiled for nothing. start checks again as it admits the run.
func (s *Server) atCapacity() bool {
	s.admit.Lock()
	defer s.admit.Unlock()
	return s.running >= s.opts.MaxActive
}

// decodeRunRequest reads the body, at most MaxBody bytes: a larger one is refused with 413,
// by its Content-Length before anything is read when it declares one.
func (s *Server) decodeRunRequest(w http.ResponseWriter, r *http.Request) (client.RunRequest, int, error) {
	var req client.RunRequest
	tooLarge := fmt.Errorf("request body larger than %d bytes", s.opts.MaxBody)
	if r.ContentLength > s.opts.MaxBody {
		return req, http.StatusRequestEntityTooLarge, tooLarge
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.opts.MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return req, http.StatusRequestEntityTooLarge, tooLarge
		}
		return req, http.StatusBadRequest, fmt.Errorf("request body: %s", clip(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return req, http.StatusBadRequest, errors.New("request body: more than one JSON value")
	}
	given := 0
	for _, set := range []bool{len(req.Module) > 0, req.Path != "", req.Ref != ""} {
		if set {
			given++
		}
	}
	switch given {
	case 0:
		return req, http.StatusBadRequest, errors.New("module: required (the module or bundle, base64), or path: a file under the server's modules directory, or ref: a hub reference")
	case 2, 3:
		return req, http.StatusBadRequest, errors.New("module, path and ref: give one of them, not several")
	}
	if req.Name != "" && !ValidTenant(req.Name) {
		return req, http.StatusBadRequest, fmt.Errorf("name %s: use 1 to 64 letters, digits, '.', '_' or '-'", quote(req.Name))
	}
	return req, 0, nil
}

// runLimits are the limits the run asks for, within the bundle's manifest and the host's
// limits; asking for more than the host allows is an error.
func (s *Server) runLimits(asked *client.Limits, mod *module) (limits.Limits, error) {
	base := s.opts.Limits
	if mod.manifestLimits != nil {
		base, _ = mod.manifestLimits.Within(base)
	}
	if asked == nil {
		return base, nil
	}
	var l limits.Limits
	dur := func(name, v string) (time.Duration, error) {
		if v == "" {
			return 0, nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("limits.%s %s: want a positive duration such as 30s", name, quote(v))
		}
		return d, nil
	}
	var err error
	if l.WallTime, err = dur("wall_time", asked.WallTime); err != nil {
		return l, err
	}
	if l.CPUTime, err = dur("cpu_time", asked.CPUTime); err != nil {
		return l, err
	}
	if asked.Memory != 0 && asked.Memory < 64<<10 {
		return l, fmt.Errorf("limits.memory %d: less than one WebAssembly page (65536 bytes)", asked.Memory)
	}
	l.Memory, l.Output = asked.Memory, asked.Output
	within, over := l.Within(base)
	if len(over) > 0 {
		return l, fmt.Errorf("limits: %s above what this server allows", strings.Join(over, ", "))
	}
	return within, nil
}
