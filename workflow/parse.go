package workflow

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/BurntSushi/toml"
)

// ParseOptions adjust how Parse checks a workflow.
type ParseOptions struct {
	// IsRef reports whether an agent that names no file is a hub reference, to be fetched when
	// the workflow runs. Nil: every agent must be a file.
	IsRef func(agent string) bool
}

// Load reads and parses the workflow file at path (at most MaxFileSize bytes); agent paths are
// relative to its directory.
func Load(path string, o ParseOptions) (*Workflow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, &Errors{List: []*Error{{Msg: fmt.Sprintf("the file is larger than %d MiB", MaxFileSize>>20)}}}
	}
	return Parse(data, filepath.Dir(path), o)
}

// stepKeys are the keys a [[steps]] table may hold.
var stepKeys = []string{"id", "agent", "input", "inputs", "needs", "when", "retries", "timeout",
	"memory", "fallback", "confirm", "env", "args", "priority"}

// rawStep is a [[steps]] table as TOML types it.
type rawStep struct {
	ID       string   `toml:"id"`
	Agent    string   `toml:"agent"`
	Input    *string  `toml:"input"`
	Inputs   []string `toml:"inputs"`
	Needs    []string `toml:"needs"`
	When     string   `toml:"when"`
	Retries  int64    `toml:"retries"`
	Timeout  string   `toml:"timeout"`
	Memory   string   `toml:"memory"`
	Fallback string   `toml:"fallback"`
	Confirm  bool     `toml:"confirm"`
	Env      []string `toml:"env"`
	Args     []string `toml:"args"`
	Priority int64    `toml:"priority"`
}

// Parse reads a workflow from data and checks it (see Errors). dir is the directory agent
// paths are relative to.
func Parse(data []byte, dir string, o ParseOptions) (*Workflow, error) {
	if len(data) > MaxFileSize {
		return nil, &Errors{List: []*Error{{Msg: fmt.Sprintf("the file is larger than %d MiB", MaxFileSize>>20)}}}
	}
	var top map[string]toml.Primitive
	md, err := toml.Decode(string(data), &top)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, &Errors{List: []*Error{{Msg: fmt.Sprintf("line %d: %s", perr.Position.Line, perr.Message)}}}
		}
		return nil, &Errors{List: []*Error{{Msg: err.Error()}}}
	}
	errs := &Errors{}
	w := &Workflow{Dir: dir, byID: map[string]*Step{}}
	for _, k := range sortedKeys(top) {
		switch k {
		case "name":
			if err := md.PrimitiveDecode(top[k], &w.Name); err != nil {
				errs.add("", "name", "want a string")
			}
		case "steps":
		default:
			errs.add("", k, "unknown key (a workflow has name and [[steps]])")
		}
	}
	var prims []toml.Primitive
	if p, ok := top["steps"]; !ok {
		errs.add("", "steps", "the workflow has no [[steps]]")
	} else if err := md.PrimitiveDecode(p, &prims); err != nil {
		errs.add("", "steps", "want an array of tables, [[steps]]")
	}
	if len(prims) > MaxSteps {
		// Refused before any step is decoded: a huge file costs no more than its parse.
		errs.add("", "steps", fmt.Sprintf("the workflow has %d steps; at most %d are allowed", len(prims), MaxSteps))
		return nil, errs
	}
	for i, p := range prims {
		if s := decodeStep(md, p, i, errs); s != nil {
			w.Steps = append(w.Steps, s)
		}
		if errs.full() {
			return nil, errs
		}
	}
	validate(w, o, errs)
	if len(errs.List) > 0 {
		return nil, errs
	}
	return w, nil
}

// decodeStep decodes the i-th [[steps]] table, or adds its problems to errs and returns nil.
func decodeStep(md toml.MetaData, p toml.Primitive, i int, errs *Errors) *Step {
	name := fmt.Sprintf("#%d", i+1)
	var keys map[string]toml.Primitive
	if err := md.PrimitiveDecode(p, &keys); err != nil {
		errs.add(name, "", "want a table")
		return nil
	}
	var id string
	if err := md.PrimitiveDecode(keys["id"], &id); err == nil && validID(id) {
		name = id
	}
	bad := false
	for _, k := range sortedKeys(keys) {
		if !slices.Contains(stepKeys, k) {
			errs.add(name, k, "unknown key")
			bad = true
		}
	}
	var r rawStep
	for _, k := range sortedKeys(keys) {
		if !slices.Contains(stepKeys, k) {
			continue
		}
		// One key at a time, so that a wrong type names its field.
		if err := decodeField(md, k, keys[k], &r); err != nil {
			errs.add(name, k, "want "+fieldType(k))
			bad = true
		}
	}
	if bad {
		return nil
	}
	return convert(r, name, errs)
}

// decodeField decodes the value p of key k into its field of r.
func decodeField(md toml.MetaData, k string, p toml.Primitive, r *rawStep) error {
	switch k {
	case "id":
		return md.PrimitiveDecode(p, &r.ID)
	case "agent":
		return md.PrimitiveDecode(p, &r.Agent)
	case "input":
		r.Input = new(string)
		return md.PrimitiveDecode(p, r.Input)
	case "inputs":
		return md.PrimitiveDecode(p, &r.Inputs)
	case "needs":
		return md.PrimitiveDecode(p, &r.Needs)
	case "when":
		return md.PrimitiveDecode(p, &r.When)
	case "retries":
		return md.PrimitiveDecode(p, &r.Retries)
	case "timeout":
		return md.PrimitiveDecode(p, &r.Timeout)
	case "memory":
		return md.PrimitiveDecode(p, &r.Memory)
	case "fallback":
		return md.PrimitiveDecode(p, &r.Fallback)
	case "confirm":
		return md.PrimitiveDecode(p, &r.Confirm)
	case "env":
		return md.PrimitiveDecode(p, &r.Env)
	case "args":
		return md.PrimitiveDecode(p, &r.Args)
	case "priority":
		return md.PrimitiveDecode(p, &r.Priority)
	}
	return nil
}

// fieldType says what a step field holds, for a type error.
func fieldType(k string) string {
	switch k {
	case "inputs", "needs":
		return "an array of step ids"
	case "env":
		return `an array of "KEY=VALUE" strings`
	case "args":
		return "an array of strings"
	case "retries", "priority":
		return "an integer"
	case "confirm":
		return "true or false"
	case "timeout":
		return `a duration string such as "30s"`
	case "memory":
		return `a size string such as "64MiB"`
	}
	return "a string"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
