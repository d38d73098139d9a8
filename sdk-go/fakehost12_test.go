package aios

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// calls12 are the calls of ABI 1.2 (docs/ABI.md, section 4.1).
var calls12 = map[string]bool{
	"memory_add": true, "memory_get": true, "memory_update": true, "memory_delete": true, "memory_search": true,
	"storage_put": true, "storage_get": true, "storage_list": true, "storage_delete": true,
	"storage_history": true, "storage_rollback": true, "tool_list": true, "tool_call": true,
}

// store12 is the fake host's model of memory, storage and tools: per-space maps of entries,
// per-key lists of versions, and a few tools with fixed behaviour. Times come from a clock
// that advances one second per write, from fakeEpoch.
type store12 struct {
	sent []sentCall // every call of ABI 1.2 the host received, directly or through submit

	spaces     map[string]map[string]*MemoryEntry // "" is the agent's own space
	granted    map[string]bool                    // the shared spaces policy grants
	memQuota   int                                // entries per space; 0: unlimited
	ids        int
	embeddings bool // an embedding core exists: vector and hybrid searches work

	keys           map[string][]fakeVersion
	versionQuota   int // versions in storage; 0: unlimited
	historyDefault int // the versions storage_history gives without a limit; 0: all
	clock          int

	tools []Tool
}

type sentCall struct {
	name string
	body string
}

type fakeVersion struct {
	value   []byte
	deleted bool
	time    time.Time
}

var fakeEpoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newStore12() store12 {
	return store12{
		spaces:  map[string]map[string]*MemoryEntry{},
		granted: map[string]bool{"team": true},
		keys:    map[string][]fakeVersion{},
		tools: []Tool{
			{Name: "echo", Description: "Echoes its arguments", Parameters: json.RawMessage(`{"type":"object","required":["text"]}`)},
			{Name: "fail", Description: "Runs and fails"},
			{Name: "big", Description: "Writes more than its cap"},
		},
	}
}

func (h *fakeHost) tick() time.Time {
	h.clock++
	return fakeEpoch.Add(time.Duration(h.clock) * time.Second)
}

// call runs a call of ABI 1.2 blocking; the real host does not have them before 1.2.
func (h *fakeHost) call(name string, body []byte, out *resultBuf) Errno {
	if h.minor < 2 || !calls12[name] {
		return h.fail(name, ErrNoSys, "no such call")
	}
	v, e := h.serve(name, body)
	if e != 0 {
		return e
	}
	return h.storeJSON(name, v, out)
}

// serve decides the outcome of a call of ABI 1.2: its result body, or a failure recorded for
// last_error.
func (h *fakeHost) serve(name string, body []byte) (any, Errno) {
	h.sent = append(h.sent, sentCall{name, string(body)})
	switch {
	case strings.HasPrefix(name, "memory_"):
		return h.serveMemory(name, body)
	case strings.HasPrefix(name, "storage_"):
		return h.serveStorage(name, body)
	case calls13[name]:
		return h.serveAgents(name, body)
	}
	return h.serveTool(name, body)
}

// lastSent returns the body of the newest call name, decoded into a map for checking.
func (h *fakeHost) lastSent(name string) map[string]any {
	for i := len(h.sent) - 1; i >= 0; i-- {
		if h.sent[i].name == name {
			var m map[string]any
			if err := json.Unmarshal([]byte(h.sent[i].body), &m); err != nil {
				panic(err)
			}
			return m
		}
	}
	return nil
}

var memoryIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

type fakeMemoryRequest struct {
	ID       string            `json:"id"`
	Text     string            `json:"text"`
	Metadata map[string]string `json:"metadata"`
	Space    string            `json:"space"`
	Query    string            `json:"query"`
	Mode     *string           `json:"mode"`
	K        *int              `json:"k"`
	Filter   map[string]string `json:"filter"`
}

func (h *fakeHost) serveMemory(name string, body []byte) (any, Errno) {
	var req fakeMemoryRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, h.fail(name, ErrInvalid, "malformed request: "+err.Error())
	}
	if req.Space != "" && !h.granted[req.Space] {
		return nil, h.fail(name, ErrPermission, "memory space "+req.Space+" is not granted")
	}
	space := h.spaces[req.Space]
	if space == nil {
		space = map[string]*MemoryEntry{}
		h.spaces[req.Space] = space
	}
	if name == "memory_add" {
		if h.memQuota > 0 && len(space) >= h.memQuota {
			return nil, h.fail(name, ErrQuota, "the space holds its quota of entries")
		}
		h.ids++
		now := h.tick()
		e := &MemoryEntry{ID: fmt.Sprintf("%032x", h.ids), Text: req.Text, Metadata: req.Metadata, Created: now, Updated: now}
		space[e.ID] = e
		return map[string]string{"id": e.ID}, 0
	}
	if name == "memory_search" {
		return h.search(space, req)
	}
	if !memoryIDPattern.MatchString(req.ID) {
		return nil, h.fail(name, ErrInvalid, fmt.Sprintf("id %q is not 32 hex digits", req.ID))
	}
	e := space[req.ID]
	if e == nil {
		return nil, h.fail(name, ErrNotFound, "no entry "+req.ID)
	}
	switch name {
	case "memory_get":
		return e, 0
	case "memory_update":
		e.Text, e.Metadata, e.Updated = req.Text, req.Metadata, h.tick()
		return map[string]string{"id": e.ID}, 0
	default: // memory_delete
		delete(space, req.ID)
		return struct{}{}, 0
	}
}

// search scores an entry by how often the query's words occur in its text.
func (h *fakeHost) search(space map[string]*MemoryEntry, req fakeMemoryRequest) (any, Errno) {
	mode := "keyword"
	if req.Mode != nil {
		mode = *req.Mode
	}
	switch {
	case mode != "keyword" && mode != "vector" && mode != "hybrid":
		return nil, h.fail("memory_search", ErrInvalid, "unknown mode "+mode)
	case mode != "keyword" && !h.embeddings:
		return nil, h.fail("memory_search", ErrNotFound, "no embedding core: "+mode+" search needs one")
	}
	k := 10
	if req.K != nil {
		k = min(*req.K, 100)
	}
	if k < 1 {
		return nil, h.fail("memory_search", ErrInvalid, "k is not 1 or more")
	}
	hits := []MemoryHit{}
	for _, e := range space {
		if !matches(e.Metadata, req.Filter) {
			continue
		}
		score := 0
		for _, q := range words(req.Query) {
			score += strings.Count(" "+strings.Join(words(e.Text), " ")+" ", " "+q+" ")
		}
		if score > 0 {
			hits = append(hits, MemoryHit{ID: e.ID, Text: e.Text, Metadata: e.Metadata, Score: float64(score)})
		}
	}
	slices.SortFunc(hits, func(a, b MemoryHit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.ID, b.ID))
	})
	return map[string]any{"hits": hits[:min(k, len(hits))]}, 0
}

func matches(meta, filter map[string]string) bool {
	for k, v := range filter {
		if got, ok := meta[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

type fakeStorageRequest struct {
	Key     string  `json:"key"`
	Value   *[]byte `json:"value"`
	Version int64   `json:"version"`
	Time    string  `json:"time"`
	Prefix  string  `json:"prefix"`
	After   string  `json:"after"`
	Before  int64   `json:"before"`
	Limit   int     `json:"limit"`
}

func (h *fakeHost) serveStorage(name string, body []byte) (any, Errno) {
	var req fakeStorageRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, h.fail(name, ErrInvalid, "malformed request: "+err.Error())
	}
	if req.Version < 0 || req.Before < 0 || req.Limit < 0 {
		return nil, h.fail(name, ErrInvalid, "a negative version, before or limit")
	}
	if name == "storage_list" {
		return h.list(req)
	}
	if len(req.Key) == 0 || len(req.Key) > 1024 || !utf8.ValidString(req.Key) || strings.ContainsRune(req.Key, 0) {
		return nil, h.fail(name, ErrInvalid, fmt.Sprintf("key %q is not 1 byte to 1 KiB of UTF-8 without NUL", req.Key))
	}
	versions := h.keys[req.Key]
	switch name {
	case "storage_put":
		if req.Value == nil {
			return nil, h.fail(name, ErrInvalid, "no value")
		}
		return h.write(name, req.Key, fakeVersion{value: *req.Value})
	case "storage_get":
		v := req.Version
		if v == 0 {
			v = int64(len(versions))
		}
		if v > int64(len(versions)) || v == 0 || versions[v-1].deleted {
			return nil, h.fail(name, ErrNotFound, "no value for "+req.Key)
		}
		fv := versions[v-1]
		return StorageItem{Key: req.Key, Version: v, Time: fv.time, Size: int64(len(fv.value)), Value: fv.value}, 0
	case "storage_delete":
		if len(versions) == 0 {
			return nil, h.fail(name, ErrNotFound, "no key "+req.Key)
		}
		return h.write(name, req.Key, fakeVersion{deleted: true})
	case "storage_history":
		if req.Limit == 0 {
			req.Limit = h.historyDefault
		}
		out := []StorageRevision{}
		for v := int64(len(versions)); v >= 1; v-- {
			if (req.Before == 0 || v < req.Before) && (req.Limit == 0 || len(out) < req.Limit) {
				out = append(out, revision(v, versions[v-1]))
			}
		}
		return map[string]any{"versions": out}, 0
	default: // storage_rollback
		return h.rollback(req, versions)
	}
}

func revision(v int64, fv fakeVersion) StorageRevision {
	return StorageRevision{Version: v, Time: fv.time, Size: int64(len(fv.value)), Deleted: fv.deleted}
}

func (h *fakeHost) write(name, key string, fv fakeVersion) (any, Errno) {
	total := 0
	for _, vs := range h.keys {
		total += len(vs)
	}
	if h.versionQuota > 0 && total >= h.versionQuota {
		return nil, h.fail(name, ErrQuota, "storage holds its quota of versions")
	}
	fv.time = h.tick()
	h.keys[key] = append(h.keys[key], fv)
	return revision(int64(len(h.keys[key])), fv), 0
}

func (h *fakeHost) rollback(req fakeStorageRequest, versions []fakeVersion) (any, Errno) {
	if (req.Version == 0) == (req.Time == "") {
		return nil, h.fail("storage_rollback", ErrInvalid, "give exactly one of version and time")
	}
	v := req.Version
	if req.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, req.Time)
		if err != nil {
			return nil, h.fail("storage_rollback", ErrInvalid, "time: "+err.Error())
		}
		for i, fv := range versions {
			if !fv.time.After(t) {
				v = int64(i + 1)
			}
		}
	}
	if v == 0 || v > int64(len(versions)) {
		return nil, h.fail("storage_rollback", ErrNotFound, "no such version of "+req.Key)
	}
	old := versions[v-1]
	return h.write("storage_rollback", req.Key, fakeVersion{value: old.value, deleted: old.deleted})
}

func (h *fakeHost) list(req fakeStorageRequest) (any, Errno) {
	limit := req.Limit
	if limit == 0 || limit > 1000 {
		limit = 1000
	}
	var keys []string
	for k, vs := range h.keys {
		if !vs[len(vs)-1].deleted && strings.HasPrefix(k, req.Prefix) && k > req.After {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	entries, next := []StorageEntry{}, ""
	for i, k := range keys {
		if i == limit {
			next = keys[i-1]
			break
		}
		vs := h.keys[k]
		fv := vs[len(vs)-1]
		entries = append(entries, StorageEntry{Key: k, Version: int64(len(vs)), Time: fv.time, Size: int64(len(fv.value))})
	}
	return map[string]any{"entries": entries, "next": next}, 0
}

func (h *fakeHost) serveTool(name string, body []byte) (any, Errno) {
	if name == "tool_list" {
		return map[string]any{"tools": h.tools}, 0
	}
	var req struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, h.fail(name, ErrInvalid, "malformed request: "+err.Error())
	}
	args := req.Arguments
	var s string
	if json.Unmarshal(args, &s) == nil {
		args = json.RawMessage(s)
	}
	var obj map[string]any
	if err := json.Unmarshal(args, &obj); err != nil || obj == nil {
		return nil, h.fail(name, ErrInvalid, "arguments are not a JSON object")
	}
	switch req.Name {
	case "echo":
		if _, ok := obj["text"].(string); !ok {
			return nil, h.fail(name, ErrInvalid, "arguments: missing property 'text'")
		}
		var b bytes.Buffer
		_ = json.Compact(&b, args)
		return ToolResult{Content: b.String(), Bytes: int64(b.Len())}, 0
	case "fail":
		return ToolResult{Content: "it broke", IsError: true, Bytes: 8}, 0
	case "big":
		return ToolResult{Content: "aaaa", Truncated: true, Bytes: 5 << 20}, 0
	case "denied":
		return nil, h.fail(name, ErrPermission, "policy does not grant tool denied")
	}
	return nil, h.fail(name, ErrNotFound, "no tool "+req.Name)
}
