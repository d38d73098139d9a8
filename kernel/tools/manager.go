package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Manager holds the tools of a kernel: it lists them, validates calls against their schemas
// and runs them under each tool's Policy. It is safe for concurrent use; calls of different
// callers and tools never wait for each other.
type Manager struct {
	opts    Options
	sources []*source

	mu     sync.RWMutex
	tools  map[string]*entry // the tools that can be called, by name
	broken map[string]error  // tools that cannot, by name, and why
	closed bool

	limiters limiters

	// minBackoff and maxBackoff bound the wait before a failed source is asked again.
	minBackoff, maxBackoff time.Duration
}

// Named is a Source that knows its configured name. The manager names a source that cannot
// list its tools by it; others are "source N".
type Named interface {
	Name() string
}

// sourceTimeout bounds how long a source may take to list its tools.
const sourceTimeout = 30 * time.Second

// source is one Source and what the manager knows of it.
type source struct {
	Source
	name string

	refreshing sync.Mutex // held while the source is asked for its tools again
	// Guarded by Manager.mu:
	loaded  bool
	err     error     // why the last Tools failed
	next    time.Time // when to ask again
	backoff time.Duration
}

// entry is one callable tool.
type entry struct {
	info   Info
	schema *jsonschema.Schema
	src    *source
	policy Policy
}

// New returns a manager of the tools sources offer, asking each for its tools.
//
// Two tools of the same name are an error naming both sources, and so is an invalid schema in
// a tool aios was configured with (a built-in or an Extism function). A tool with an invalid
// schema from an MCP server is unavailable (Prepare says why); a source that cannot list its
// tools (a server that does not start) is asked again on List and Prepare, at growing
// intervals, and its tools join the others when it answers. When New fails, it has closed the
// sources.
func New(sources []Source, opts Options) (*Manager, error) {
	m := &Manager{
		opts:       opts,
		tools:      map[string]*entry{},
		broken:     map[string]error{},
		minBackoff: time.Second,
		maxBackoff: time.Minute,
	}
	for i, s := range sources {
		name := fmt.Sprintf("source %d", i)
		if n, ok := s.(Named); ok {
			name = n.Name()
		}
		m.sources = append(m.sources, &source{Source: s, name: name})
	}
	if err := opts.validate(); err != nil {
		return nil, errors.Join(err, m.Close())
	}
	listed := make([][]Info, len(m.sources))
	errs := make([]error, len(m.sources))
	var wg sync.WaitGroup
	for i, s := range m.sources {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), sourceTimeout)
			defer cancel()
			listed[i], errs[i] = s.Tools(ctx)
		})
	}
	wg.Wait()
	now := time.Now()
	for i, s := range m.sources {
		if errs[i] != nil {
			m.failed(s, errs[i], now)
			continue
		}
		if err := m.add(s, listed[i], true); err != nil {
			return nil, errors.Join(err, m.Close())
		}
	}
	return m, nil
}

// failed records that s could not list its tools. Callers hold m.mu or own m alone.
func (m *Manager) failed(s *source, err error, now time.Time) {
	s.err = err
	s.backoff = min(max(2*s.backoff, m.minBackoff), m.maxBackoff)
	s.next = now.Add(s.backoff)
}

// add makes s's tools callable. At start (strict) a conflict or an invalid configured schema
// is an error; later it makes the tool unavailable. Callers hold m.mu or own m alone.
func (m *Manager) add(s *source, infos []Info, strict bool) error {
	var errs []error
	for _, info := range infos {
		e, err := m.entry(s, info)
		switch {
		case err != nil && strict && (info.Kind != KindMCP || errors.Is(err, errDuplicate)):
			errs = append(errs, err)
			continue
		case err != nil:
			m.broken[info.Name] = err
			continue
		}
		m.tools[info.Name] = e
	}
	s.loaded, s.err = true, nil
	return errors.Join(errs...)
}

var errDuplicate = errors.New("duplicate tool name")

func (m *Manager) entry(s *source, info Info) (*entry, error) {
	if info.Source == "" {
		info.Source = s.name
	}
	if other, dup := m.tools[info.Name]; dup {
		return nil, fmt.Errorf("%w: tool %q is offered by both %s and %s; rename one", errDuplicate, info.Name, other.src.name, s.name)
	}
	if _, dup := m.broken[info.Name]; dup {
		return nil, fmt.Errorf("%w: tool %q is offered twice (by %s, and once more)", errDuplicate, info.Name, s.name)
	}
	schema, err := compileSchema(info.Parameters)
	if err != nil {
		return nil, fmt.Errorf("tool %q of %s: %w", info.Name, s.name, err)
	}
	info.Parameters = forModels(info.Parameters)
	return &entry{info: info, schema: schema, src: s, policy: m.opts.policy(info.Source)}, nil
}

// refresh asks the sources whose tools are not loaded again, those whose backoff has passed.
// A source another caller is already asking is skipped.
func (m *Manager) refresh(ctx context.Context) {
	m.mu.RLock()
	var due []*source
	now := time.Now()
	for _, s := range m.sources {
		if !s.loaded && !now.Before(s.next) && !m.closed {
			due = append(due, s)
		}
	}
	m.mu.RUnlock()
	for _, s := range due {
		if !s.refreshing.TryLock() {
			continue
		}
		m.reload(ctx, s)
		s.refreshing.Unlock()
	}
}

func (m *Manager) reload(ctx context.Context, s *source) {
	m.mu.RLock()
	stale := s.loaded || time.Now().Before(s.next) || m.closed
	m.mu.RUnlock()
	if stale {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, sourceTimeout)
	defer cancel()
	infos, err := s.Tools(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		m.failed(s, err, time.Now())
		return
	}
	_ = m.add(s, infos, false) // not strict: add makes the tools it cannot take unavailable
}

// List returns every tool that can be called, sorted by name.
func (m *Manager) List(ctx context.Context) []Info {
	m.refresh(ctx)
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Info, 0, len(m.tools))
	for _, e := range m.tools {
		out = append(out, e.info)
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Unavailable returns why tools or sources cannot be used now, sorted: sources that could not
// list their tools (with when they are asked again) and tools whose schema or name was refused.
func (m *Manager) Unavailable() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []string
	for _, s := range m.sources {
		if !s.loaded && s.err != nil {
			out = append(out, fmt.Sprintf("%s: %v (retried after %s)", s.name, bound(s.err.Error()), s.next.Format(time.RFC3339)))
		}
	}
	for _, err := range m.broken {
		out = append(out, err.Error())
	}
	slices.Sort(out)
	return out
}

// Close closes every source.
func (m *Manager) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	var errs []error
	for _, s := range m.sources {
		if err := s.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", s.name, err))
		}
	}
	return errors.Join(errs...)
}
