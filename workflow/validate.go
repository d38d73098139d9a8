package workflow

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aiosys/aios/config"
)

// Bounds on single fields.
const (
	maxNameLength  = 256
	maxAgentLength = 4096
	minMemory      = 64 << 10 // one WebAssembly page
	// reservedID may not name a step: a line prefixed with it would pass for aios's own.
	reservedID = "aios"
)

// convert checks the fields of one step on their own and builds the Step; name is how errors
// name the step.
func convert(r rawStep, name string, errs *Errors) *Step {
	n := len(errs.List)
	s := &Step{ID: r.ID, Agent: r.Agent, Inputs: r.Inputs, Needs: r.Needs, Fallback: r.Fallback,
		Confirm: r.Confirm, Env: r.Env, Args: r.Args}
	switch {
	case r.ID == "":
		errs.add(name, "id", "missing; every step needs an id")
	case !validID(r.ID):
		errs.add(name, "id", fmt.Sprintf("%q: want 1 to %d characters of A-Z, a-z, 0-9, _ and -", r.ID, MaxIDLength))
	case strings.EqualFold(r.ID, reservedID):
		errs.add(name, "id", fmt.Sprintf("%q is reserved: aios's own lines start with it", r.ID))
	}
	switch {
	case r.Agent == "":
		errs.add(name, "agent", "missing; name a module or bundle file, relative to the workflow file")
	case len(r.Agent) > maxAgentLength, strings.ContainsAny(r.Agent, "\x00\n\r"), !utf8.ValidString(r.Agent):
		errs.add(name, "agent", fmt.Sprintf("%.80q is not a usable path", r.Agent))
	}
	if r.Input != nil {
		s.Input, s.HasInput = []byte(*r.Input), true
		if r.Inputs != nil {
			errs.add(name, "input", "input and inputs exclude each other: a step's input is a literal or other steps' outputs")
		}
	}
	if r.When != "" {
		c, err := ParseCondition(r.When)
		if err != nil {
			errs.add(name, "when", fmt.Sprintf("%.80q: %v", r.When, err))
		}
		s.When = c
	}
	switch {
	case r.Retries < 0:
		errs.add(name, "retries", fmt.Sprintf("%d is negative", r.Retries))
	case r.Retries > MaxRetries:
		errs.add(name, "retries", fmt.Sprintf("%d is more than %d", r.Retries, MaxRetries))
	default:
		s.Retries = int(r.Retries)
	}
	if r.Timeout != "" {
		d, err := time.ParseDuration(r.Timeout)
		switch {
		case err != nil:
			errs.add(name, "timeout", fmt.Sprintf(`%.80q: want a duration such as "30s" or "5m"`, r.Timeout))
		case d <= 0:
			errs.add(name, "timeout", fmt.Sprintf("%q: want a positive duration", r.Timeout))
		case d > MaxTimeout:
			errs.add(name, "timeout", fmt.Sprintf("%q is longer than %s", r.Timeout, MaxTimeout))
		default:
			s.Timeout = d
		}
	}
	if r.Memory != "" {
		var m config.Size
		switch err := m.UnmarshalText([]byte(r.Memory)); {
		case err != nil:
			errs.add(name, "memory", err.Error())
		case m < minMemory:
			errs.add(name, "memory", fmt.Sprintf("%q is less than one WebAssembly page (64KiB)", r.Memory))
		default:
			s.Memory = uint64(m)
		}
	}
	for _, kv := range r.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" || strings.ContainsAny(k, "\x00\n") {
			errs.add(name, "env", fmt.Sprintf("%.80q: want KEY=VALUE", kv))
		}
	}
	if r.Priority < math.MinInt32 || r.Priority > math.MaxInt32 {
		errs.add(name, "priority", fmt.Sprintf("%d is out of range", r.Priority))
	} else {
		s.Priority = int(r.Priority)
	}
	if len(errs.List) > n {
		return nil
	}
	return s
}

// validate checks what involves more than one step, and the agents' files: ids are unique,
// every reference names a step, the graph has no cycle, fallbacks stand apart from the steps
// they replace.
func validate(w *Workflow, o ParseOptions, errs *Errors) {
	if w.Name != "" && (len(w.Name) > maxNameLength || !utf8.ValidString(w.Name) || strings.ContainsFunc(w.Name, isControl)) {
		errs.add("", "name", fmt.Sprintf("%.80q: want at most %d printable characters", w.Name, maxNameLength))
	}
	for _, s := range w.Steps {
		if w.byID[s.ID] != nil {
			errs.add(s.ID, "id", "duplicate: another step has this id")
			continue
		}
		w.byID[s.ID] = s
	}
	if len(errs.List) > 0 {
		return
	}
	for _, s := range w.Steps {
		checkRefs(w, s, errs)
		checkAgent(w, s, o, errs)
	}
	if len(errs.List) > 0 {
		return
	}
	if cycle := findCycle(w); cycle != nil {
		errs.add(cycle[0], "needs", "dependency cycle: "+strings.Join(cycle, " -> "))
		return
	}
	checkFallbacks(w, errs)
}

// checkRefs checks that the steps s refers to exist, and collects s.after.
func checkRefs(w *Workflow, s *Step, errs *Errors) {
	seen := map[string]bool{}
	ref := func(field, id string) {
		switch {
		case id == s.ID:
			errs.add(s.ID, field, "a step cannot refer to itself")
		case w.byID[id] == nil:
			errs.add(s.ID, field, fmt.Sprintf("unknown step %.80q", id))
		case !seen[id]:
			seen[id] = true
			s.after = append(s.after, id)
		}
	}
	for _, id := range s.Needs {
		ref("needs", id)
	}
	for _, id := range s.Inputs {
		ref("inputs", id)
	}
	if s.When != nil {
		for _, id := range s.When.Steps() {
			ref("when", id)
		}
	}
	if s.Fallback != "" {
		switch {
		case s.Fallback == s.ID:
			errs.add(s.ID, "fallback", "a step cannot be its own fallback")
		case w.byID[s.Fallback] == nil:
			errs.add(s.ID, "fallback", fmt.Sprintf("unknown step %.80q", s.Fallback))
		}
	}
}

// checkAgent checks that s's agent is a file, or a hub reference when o allows them.
func checkAgent(w *Workflow, s *Step, o ParseOptions, errs *Errors) {
	path := s.Agent
	if !filepath.IsAbs(path) {
		path = filepath.Join(w.Dir, path)
	}
	info, err := os.Stat(path)
	switch {
	case err == nil && info.IsDir():
		errs.add(s.ID, "agent", fmt.Sprintf("%s is a directory, not a module", path))
	case err == nil:
		s.AgentPath = path
	case o.IsRef != nil && o.IsRef(s.Agent):
	default:
		errs.add(s.ID, "agent", fmt.Sprintf("%s: no such file", path))
	}
}

// checkFallbacks checks the fallback rules: a fallback runs only in place of one step, with
// that step's input, so it has no needs, inputs or condition of its own, nothing needs it, and
// it is not in the dependency chain of the step it replaces.
func checkFallbacks(w *Workflow, errs *Errors) {
	for _, s := range w.Steps {
		if s.Fallback == "" {
			continue
		}
		f := w.byID[s.Fallback]
		if path := chain(w, s.ID, f.ID); path != nil {
			errs.add(s.ID, "fallback", fmt.Sprintf("%s is in %s's dependency chain (%s); a fallback must be a step of its own",
				f.ID, s.ID, strings.Join(path, " -> ")))
			continue
		}
		if other := f.fallbackFor; other != "" {
			errs.add(s.ID, "fallback", fmt.Sprintf("%s is already the fallback of %s; a step can stand in for one step only", f.ID, other))
			continue
		}
		f.fallbackFor = s.ID
	}
	for _, s := range w.Steps {
		if s.fallbackFor != "" && len(s.after) > 0 {
			errs.add(s.ID, "needs", fmt.Sprintf("a fallback step (of %s) runs in place of it with its input; it cannot have needs, inputs or when", s.fallbackFor))
		}
		for _, id := range s.after {
			if f := w.byID[id]; f.fallbackFor != "" {
				errs.add(s.ID, "needs", fmt.Sprintf("%s is a fallback step, which runs only if %s fails; refer to %s instead", id, f.fallbackFor, f.fallbackFor))
			}
		}
	}
	// A fallback that has a fallback of its own is fine; a loop of them never starts.
	for _, s := range w.Steps {
		seen := map[string]bool{}
		for id := s.ID; id != ""; id = w.byID[id].Fallback {
			if seen[id] {
				errs.add(s.ID, "fallback", "fallbacks form a loop")
				break
			}
			seen[id] = true
		}
	}
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }
