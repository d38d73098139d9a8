package policy

import (
	"fmt"

	lru "github.com/hashicorp/golang-lru/v2"
)

// decisionCache is a bounded least-recently-used map from input keys to decisions, safe for
// concurrent use. Each loaded policy has its own, so a reload starts with an empty cache and a
// decision computed under the previous policy can never be stored into the new one's.
type decisionCache struct {
	lru *lru.Cache[cacheKey, Decision]
}

// newDecisionCache returns a cache of size entries.
func newDecisionCache(size int) (*decisionCache, error) {
	c, err := lru.New[cacheKey, Decision](size)
	if err != nil {
		return nil, fmt.Errorf("decision cache of %d entries: %w", size, err)
	}
	return &decisionCache{lru: c}, nil
}

// get returns the decision stored under k, marking it recently used.
func (c *decisionCache) get(k cacheKey) (Decision, bool) { return c.lru.Get(k) }

// put stores d under k, evicting the least recently used entry when full.
func (c *decisionCache) put(k cacheKey, d Decision) { c.lru.Add(k, d) }

// len returns how many decisions are stored.
func (c *decisionCache) len() int { return c.lru.Len() }
