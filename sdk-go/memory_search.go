package aios

import (
	"context"
	"fmt"
)

// SearchOption changes how Memory.Search searches.
type SearchOption func(*memorySearchRequest)

// memorySearchRequest is the ABI's MemorySearchRequest; kSet records that TopK was given, so
// a zero k is refused rather than left out.
type memorySearchRequest struct {
	Query  string            `json:"query"`
	Mode   string            `json:"mode,omitempty"`
	K      int               `json:"k,omitempty"`
	Filter map[string]string `json:"filter,omitempty"`
	Space  string            `json:"space,omitempty"`
	kSet   bool
}

// Keyword ranks entries by BM25 over the words of the query, which is plain text: its quotes
// and operators are words like any other. It is the default.
func Keyword() SearchOption { return func(r *memorySearchRequest) { r.Mode = "keyword" } }

// Vector ranks entries by the cosine similarity of their embeddings to the query's, computed
// by the host's embedding core. A host without one gives ErrNotFound.
func Vector() SearchOption { return func(r *memorySearchRequest) { r.Mode = "vector" } }

// Hybrid fuses the Keyword and Vector rankings. A host without an embedding core gives
// ErrNotFound.
func Hybrid() SearchOption { return func(r *memorySearchRequest) { r.Mode = "hybrid" } }

// TopK returns at most k hits (1 or more; the host's default is 10, and it lowers a k above its
// maximum to that maximum).
func TopK(k int) SearchOption {
	return func(r *memorySearchRequest) { r.K, r.kSet = k, true }
}

// Where keeps the entries whose metadata maps key to exactly value. Several Where options must
// all hold.
func Where(key, value string) SearchOption {
	return func(r *memorySearchRequest) {
		if r.Filter == nil {
			r.Filter = map[string]string{}
		}
		r.Filter[key] = value
	}
}

// Search returns the entries that best match query, best first.
func (m Memory) Search(ctx context.Context, query string, opts ...SearchOption) ([]MemoryHit, error) {
	r, err := m.search(query, opts)
	if err != nil {
		return nil, err
	}
	return r.run(ctx, std)
}

// StartSearch starts Search asynchronously and returns at once.
func (m Memory) StartSearch(query string, opts ...SearchOption) (*Pending[[]MemoryHit], error) {
	r, err := m.search(query, opts)
	if err != nil {
		return nil, err
	}
	return r.start(std)
}

func (m Memory) search(query string, opts []SearchOption) (request[[]MemoryHit], error) {
	if err := m.check("memory_search"); err != nil {
		return request[[]MemoryHit]{}, err
	}
	body := memorySearchRequest{Query: query, Space: m.space}
	for _, o := range opts {
		o(&body)
	}
	if body.kSet && body.K < 1 {
		return request[[]MemoryHit]{}, &Error{Code: ErrInvalid, Name: ErrInvalid.String(), Call: "memory_search",
			Message: fmt.Sprintf("k %d is not 1 or more", body.K)}
	}
	return request[[]MemoryHit]{
		name:   "memory_search",
		what:   "memory",
		body:   body,
		decode: field("memory_search", func(r memoryHits) []MemoryHit { return r.Hits }),
	}, nil
}
