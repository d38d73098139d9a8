package hostcalls

import (
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/storage"
)

// The request and result bodies of ABI 1.2's memory, storage and tool calls (docs/ABI.md 5.5).

type memoryAddRequest struct {
	Text     string            `json:"text"`
	Metadata map[string]string `json:"metadata"`
	Space    string            `json:"space"`
}

type memoryUpdateRequest struct {
	ID       string            `json:"id"`
	Text     string            `json:"text"`
	Metadata map[string]string `json:"metadata"`
	Space    string            `json:"space"`
}

type memoryRef struct {
	ID    string `json:"id"`
	Space string `json:"space"`
}

type memorySearchRequest struct {
	Query  string            `json:"query"`
	Mode   string            `json:"mode"`
	K      *int              `json:"k"`
	Filter map[string]string `json:"filter"`
	Space  string            `json:"space"`
}

// DefaultSearchK is the k of a memory_search that names none.
const DefaultSearchK = 10

type idResult struct {
	ID string `json:"id"`
}

type memoryEntry struct {
	ID       string            `json:"id"`
	Text     string            `json:"text"`
	Metadata map[string]string `json:"metadata"`
	Created  string            `json:"created"`
	Updated  string            `json:"updated"`
}

type memoryHit struct {
	ID       string            `json:"id"`
	Text     string            `json:"text"`
	Metadata map[string]string `json:"metadata"`
	Score    float64           `json:"score"`
}

type storageKeyRequest struct {
	Key     string `json:"key"`
	Value   []byte `json:"value"`   // storage_put
	Version int64  `json:"version"` // storage_get, storage_rollback
	Time    string `json:"time"`    // storage_rollback
	Prefix  string `json:"prefix"`  // storage_list
	After   string `json:"after"`   // storage_list
	Before  int64  `json:"before"`  // storage_history
	Limit   int    `json:"limit"`   // storage_list, storage_history
}

type storageRevision struct {
	Version int64  `json:"version"`
	Time    string `json:"time"`
	Size    int64  `json:"size"`
	Deleted bool   `json:"deleted"`
}

type storageEntry struct {
	Key     string `json:"key"`
	Version int64  `json:"version"`
	Time    string `json:"time"`
	Size    int64  `json:"size"`
}

type storageItem struct {
	Key     string `json:"key"`
	Version int64  `json:"version"`
	Time    string `json:"time"`
	Size    int64  `json:"size"`
	Deleted bool   `json:"deleted"`
	Value   []byte `json:"value"`
}

type toolCallRequest struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// decodeBody decodes a request body of call into v: a JSON object of valid UTF-8 (encoding/json
// would silently replace invalid bytes, changing a key or a text the agent sent).
func decodeBody(call string, body []byte, v any) error {
	if len(body) == 0 || firstNonSpace(body) != '{' {
		return fail(EINVAL, call+": the request must be a JSON object")
	}
	if !utf8.Valid(body) {
		return fail(EINVAL, call+": the request is not valid UTF-8")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return failWrap(EINVAL, call+": malformed request", err)
	}
	return nil
}

// searchMode maps memory_search's mode to the store's.
func searchMode(s string) (memory.Mode, error) {
	switch s {
	case "", "keyword":
		return memory.Keyword, nil
	case "vector":
		return memory.Vector, nil
	case "hybrid":
		return memory.Hybrid, nil
	}
	return 0, fail(EINVAL, fmt.Sprintf("memory_search: mode %s is not keyword, vector or hybrid", quote(s)))
}

// quote quotes a guest string for a message, at most 64 bytes of it.
func quote(s string) string {
	if len(s) > 64 {
		return fmt.Sprintf("%q… (%d bytes)", s[:64], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// stamp formats a time as the ABI's bodies do: RFC 3339 with nanoseconds, in UTC.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func revision(r storage.Revision) storageRevision {
	return storageRevision{Version: int64(r.Version), Time: stamp(r.Time), Size: r.Size, Deleted: r.Deleted}
}

func entryOf(r memory.Record) memoryEntry {
	return memoryEntry{ID: string(r.ID), Text: r.Text, Metadata: nonNilMeta(r.Metadata), Created: stamp(r.Created), Updated: stamp(r.Updated)}
}

func nonNilMeta(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
