package policy

import (
	"container/list"
	"sync"
)

// decisionCache is a bounded least-recently-used map from input keys to decisions, safe for
// concurrent use. Each loaded policy has its own, so a reload starts with an empty cache and a
// decision computed under the previous policy can never be stored into the new one's.
type decisionCache struct {
	mu      sync.Mutex
	size    int
	order   *list.List // of *cacheEntry, most recently used first
	entries map[cacheKey]*list.Element
}

type cacheEntry struct {
	key cacheKey
	d   Decision
}

func newDecisionCache(size int) *decisionCache {
	return &decisionCache{size: size, order: list.New(), entries: make(map[cacheKey]*list.Element, size)}
}

// get returns the decision stored under k, marking it recently used.
func (c *decisionCache) get(k cacheKey) (Decision, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		return Decision{}, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry).d, true
}

// put stores d under k, evicting the least recently used entry when full.
func (c *decisionCache) put(k cacheKey, d Decision) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[k]; ok {
		el.Value.(*cacheEntry).d = d
		c.order.MoveToFront(el)
		return
	}
	if c.order.Len() >= c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.entries, last.Value.(*cacheEntry).key)
	}
	c.entries[k] = c.order.PushFront(&cacheEntry{key: k, d: d})
}

// len returns how many decisions are stored.
func (c *decisionCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
