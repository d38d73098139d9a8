package config

import (
	"fmt"
	"slices"
	"strings"
)

// resolveAliases follows every alias to what it finally names, a model or a class, and checks
// that something serves it. It refuses an alias that is empty, points at nothing, takes the name
// of a model or class a core serves (which would hide it), or is part of a cycle.
func resolveAliases(aliases map[string]string, cores []Core) (map[string]string, error) {
	served := map[string]bool{} // models and classes some core serves
	anyModel := false
	for _, c := range cores {
		anyModel = anyModel || len(c.Models) == 0
		for _, m := range c.Models {
			served[m] = true
		}
		if c.Class != "" {
			served[c.Class] = true
		}
	}
	names := make([]string, 0, len(aliases))
	for a := range aliases {
		names = append(names, a)
	}
	slices.Sort(names) // report the same error every time
	out := make(map[string]string, len(aliases))
	for _, a := range names {
		if strings.TrimSpace(a) == "" || strings.TrimSpace(aliases[a]) == "" {
			return nil, fmt.Errorf("alias %q = %q: neither side may be empty", a, aliases[a])
		}
		if served[a] {
			return nil, fmt.Errorf("alias %q has the name of a model or class a core serves, which it would hide; rename it", a)
		}
		path := []string{a}
		target := aliases[a]
		for {
			if slices.Contains(path, target) {
				return nil, fmt.Errorf("aliases form a cycle: %s", strings.Join(append(path, target), " → "))
			}
			next, ok := aliases[target]
			if !ok {
				break
			}
			path = append(path, target)
			target = next
		}
		if !served[target] && !anyModel {
			return nil, fmt.Errorf("alias %q points at %q, which no core lists as a model or class", a, target)
		}
		out[a] = target
	}
	return out, nil
}
