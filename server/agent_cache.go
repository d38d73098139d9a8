package server

import (
	"context"
	"crypto/sha256"
	"sync"

	"github.com/aiosys/aios"
)

// agentCache shares one compiled agent among the active runs of the same module under the
// same name: a hundred submissions of one module compile it once. An agent is closed when
// its last run releases it.
type agentCache struct {
	mu      sync.Mutex
	entries map[agentKey]*cachedAgent
	byAgent map[*aios.Agent]agentKey
}

type agentKey struct {
	name   string
	digest [sha256.Size]byte
}

// cachedAgent is a compiled agent, or the compile under way (ready not yet closed).
type cachedAgent struct {
	ready chan struct{}
	agent *aios.Agent
	err   error
	refs  int
}

func newAgentCache() *agentCache {
	return &agentCache{entries: map[agentKey]*cachedAgent{}, byAgent: map[*aios.Agent]agentKey{}}
}

// load returns sys's agent of wasm under name, compiled once while any run holds it. The
// caller releases it when its run has ended.
func (c *agentCache) load(ctx context.Context, sys *aios.System, name string, wasm []byte) (*aios.Agent, error) {
	key := agentKey{name: name, digest: sha256.Sum256(wasm)}
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok {
		e.refs++
		c.mu.Unlock()
		<-e.ready
		if e.err != nil {
			c.drop(key, e)
			return nil, e.err
		}
		return e.agent, nil
	}
	e = &cachedAgent{ready: make(chan struct{}), refs: 1}
	c.entries[key] = e
	c.mu.Unlock()
	e.agent, e.err = sys.Load(context.WithoutCancel(ctx), name, wasm) // waiters share it
	if e.err == nil {
		c.mu.Lock()
		c.byAgent[e.agent] = key
		c.mu.Unlock()
	}
	close(e.ready)
	if e.err != nil {
		c.drop(key, e)
		return nil, e.err
	}
	return e.agent, nil
}

// drop forgets a failed compile once its last waiter has seen the error.
func (c *agentCache) drop(key agentKey, e *cachedAgent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.refs--; e.refs == 0 && c.entries[key] == e {
		delete(c.entries, key)
	}
}

// release gives back one hold on agent; the last closes it.
func (c *agentCache) release(agent *aios.Agent) {
	c.mu.Lock()
	key, ok := c.byAgent[agent]
	e := c.entries[key]
	if !ok || e == nil || e.agent != agent {
		c.mu.Unlock()
		_ = agent.Close(context.Background()) // not from the cache
		return
	}
	e.refs--
	last := e.refs == 0
	if last {
		delete(c.entries, key)
		delete(c.byAgent, agent)
	}
	c.mu.Unlock()
	if last {
		_ = agent.Close(context.Background())
	}
}
