package workflow

import "slices"

// findCycle returns a dependency cycle as a path of step ids that starts and ends with the same
// step, or nil when the graph is acyclic.
func findCycle(w *Workflow) []string {
	const (
		unseen = iota
		open
		done
	)
	state := make(map[string]int, len(w.Steps))
	var stack []string
	var visit func(id string) []string
	visit = func(id string) []string {
		state[id] = open
		stack = append(stack, id)
		for _, next := range w.byID[id].after {
			switch state[next] {
			case open:
				i := slices.Index(stack, next)
				return append(slices.Clone(stack[i:]), next)
			case unseen:
				if c := visit(next); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[id] = done
		return nil
	}
	for _, s := range w.Steps {
		if state[s.ID] == unseen {
			if c := visit(s.ID); c != nil {
				// Shown in the direction work flows: from the step needed to the one needing it.
				slices.Reverse(c)
				return c
			}
		}
	}
	return nil
}

// chain returns a path of dependencies between steps a and b (either way round), from the step
// needed to the one needing it, or nil when neither depends on the other.
func chain(w *Workflow, a, b string) []string {
	if p := pathTo(w, a, b); p != nil {
		return p
	}
	return pathTo(w, b, a)
}

// pathTo returns the steps from the one needed, to, up to from, when from depends on to.
func pathTo(w *Workflow, from, to string) []string {
	seen := map[string]bool{}
	var walk func(id string) []string
	walk = func(id string) []string {
		if id == to {
			return []string{id}
		}
		if seen[id] {
			return nil
		}
		seen[id] = true
		for _, next := range w.byID[id].after {
			if p := walk(next); p != nil {
				return append(p, id)
			}
		}
		return nil
	}
	return walk(from)
}

// Levels groups the ordinary steps (not fallbacks) by depth: the first level needs nothing,
// each later one needs only steps of the levels before it. Steps keep file order in a level.
func (w *Workflow) Levels() [][]*Step {
	depth := make(map[string]int, len(w.Steps))
	var level func(s *Step) int
	level = func(s *Step) int {
		if d, ok := depth[s.ID]; ok {
			return d
		}
		d := 0
		for _, id := range s.after {
			d = max(d, level(w.byID[id])+1)
		}
		depth[s.ID] = d
		return d
	}
	var levels [][]*Step
	for _, s := range w.Steps {
		if s.fallbackFor != "" {
			continue
		}
		d := level(s)
		for len(levels) <= d {
			levels = append(levels, nil)
		}
		levels[d] = append(levels[d], s)
	}
	return levels
}
