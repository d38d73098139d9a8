package dispatch

// Stats is a snapshot of the dispatcher's load: how many generations wait for a core and how
// many each core serves.
type Stats struct {
	// Queued is how many generations (or pieces of preempted ones) wait in the queue. A waiting
	// generation belongs to no core yet: any core of its route may take it.
	Queued int
	// Cores are the cores in the order the dispatcher was built with.
	Cores []CoreStats
}

// CoreStats is one core's load.
type CoreStats struct {
	Name string
	// InFlight is how many requests (generations and embeddings) the core serves now.
	InFlight int
	// Capacity is how many it may serve at once.
	Capacity int
}

// Stats returns a snapshot of the dispatcher's load. It takes the dispatcher's lock briefly
// and changes nothing.
func (d *Dispatcher) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := Stats{Queued: d.q.Len(), Cores: make([]CoreStats, len(d.cores))}
	for i, c := range d.cores {
		s.Cores[i] = CoreStats{Name: c.name, InFlight: c.inflight, Capacity: c.Capacity}
	}
	return s
}
