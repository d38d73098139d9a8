package aios

import (
	"context"
	"fmt"
	"time"
)

// Memory is a memory space (ABI 1.2): texts with metadata that the agent adds, reads, updates,
// deletes and searches by keywords or by meaning. Entries outlive the run.
//
// Mem is the agent's own space, which the host derives from who the agent is: nothing an
// agent passes reaches another agent's. SharedMemory names a space shared by the agents of one
// tenant that policy lets use it.
//
// On a host older than ABI 1.2 every method fails with ErrNotSupported. See docs/ABI.md,
// section 5.5.
type Memory struct {
	space  string
	shared bool
}

// Mem returns the agent's own memory space.
func Mem() Memory { return Memory{} }

// SharedMemory returns the shared memory space name: 1 to 64 bytes of letters, digits, '.',
// '_' and '-'. The agent's manifest declares it (memory = ["NAME"]) and the operator grants it;
// otherwise every call fails with ErrPermission. A malformed name fails every call with
// ErrInvalid.
func SharedMemory(name string) Memory { return Memory{space: name, shared: true} }

// MemoryEntry is one entry of a memory space.
type MemoryEntry struct {
	ID       string            `json:"id"` // 32 lower-case hex digits
	Text     string            `json:"text"`
	Metadata map[string]string `json:"metadata"`
	Created  time.Time         `json:"created"`
	Updated  time.Time         `json:"updated"`
}

// MemoryHit is an entry found by Memory.Search. Score is higher for better hits and comparable
// only within one search.
type MemoryHit struct {
	ID       string            `json:"id"`
	Text     string            `json:"text"`
	Metadata map[string]string `json:"metadata"`
	Score    float64           `json:"score"`
}

// The ABI's memory request bodies.
type (
	memoryAddRequest struct {
		Text     string            `json:"text"`
		Metadata map[string]string `json:"metadata,omitempty"`
		Space    string            `json:"space,omitempty"`
	}
	// memoryUpdateRequest always carries metadata, {} for none, so that an update replaces
	// the entry's metadata whatever a host makes of an absent field.
	memoryUpdateRequest struct {
		ID       string            `json:"id"`
		Text     string            `json:"text"`
		Metadata map[string]string `json:"metadata"`
		Space    string            `json:"space,omitempty"`
	}
	memoryRef struct {
		ID    string `json:"id"`
		Space string `json:"space,omitempty"`
	}
	memoryID   struct{ ID string }
	memoryHits struct{ Hits []MemoryHit }
)

// check refuses a malformed shared space name before it reaches the host, where an empty name
// would silently mean the agent's own space.
func (m Memory) check(call string) error {
	if !m.shared || validSpace(m.space) {
		return nil
	}
	return &Error{Code: ErrInvalid, Name: ErrInvalid.String(), Call: call,
		Message: fmt.Sprintf("shared memory space %q is not 1 to 64 letters, digits, '.', '_' or '-'", m.space)}
}

func validSpace(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

// Add stores text with its metadata (nil for none) as a new entry and returns the entry's id.
// A space past its entry or byte quota gives ErrQuota.
func (m Memory) Add(ctx context.Context, text string, metadata map[string]string) (string, error) {
	if err := m.check("memory_add"); err != nil {
		return "", err
	}
	return request[string]{
		name:   "memory_add",
		what:   "memory",
		body:   memoryAddRequest{Text: text, Metadata: metadata, Space: m.space},
		decode: field("memory_add", func(r memoryID) string { return r.ID }),
	}.run(ctx, std)
}

// Get returns the entry with id. An unknown id gives ErrNotFound; a malformed one ErrInvalid.
func (m Memory) Get(ctx context.Context, id string) (MemoryEntry, error) {
	if err := m.check("memory_get"); err != nil {
		return MemoryEntry{}, err
	}
	return request[MemoryEntry]{
		name:   "memory_get",
		what:   "memory",
		body:   memoryRef{ID: id, Space: m.space},
		decode: whole[MemoryEntry]("memory_get"),
	}.run(ctx, std)
}

// Update replaces the text and metadata of the entry with id; nil metadata leaves it none.
func (m Memory) Update(ctx context.Context, id, text string, metadata map[string]string) error {
	if err := m.check("memory_update"); err != nil {
		return err
	}
	if metadata == nil {
		metadata = map[string]string{}
	}
	_, err := request[memoryID]{
		name:   "memory_update",
		what:   "memory",
		body:   memoryUpdateRequest{ID: id, Text: text, Metadata: metadata, Space: m.space},
		decode: whole[memoryID]("memory_update"),
	}.run(ctx, std)
	return err
}

// Delete removes the entry with id. An unknown id gives ErrNotFound.
func (m Memory) Delete(ctx context.Context, id string) error {
	if err := m.check("memory_delete"); err != nil {
		return err
	}
	_, err := request[struct{}]{
		name:   "memory_delete",
		what:   "memory",
		body:   memoryRef{ID: id, Space: m.space},
		decode: whole[struct{}]("memory_delete"),
	}.run(ctx, std)
	return err
}
