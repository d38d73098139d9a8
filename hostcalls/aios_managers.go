package hostcalls

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/kernel/memory"
	"github.com/aiosys/aios/kernel/storage"
)

// managerCall runs one of ABI 1.2's memory, storage or tool calls: it decodes body, asks the
// kernel and returns the value to encode as the result.
type managerCall func(ctx context.Context, p *kernel.Process, body []byte) (any, error)

// managerCalls are ABI 1.2's calls (docs/ABI.md 4.1) and 1.3's agent calls (4.2), by name.
// Each is bound as a blocking call of signature (req_ptr, req_len, out) and may be submitted.
var managerCalls = map[string]managerCall{
	"memory_add":       memoryAdd,
	"memory_get":       memoryGet,
	"memory_update":    memoryUpdate,
	"memory_delete":    memoryDelete,
	"memory_search":    memorySearch,
	"storage_put":      storagePut,
	"storage_get":      storageGet,
	"storage_list":     storageList,
	"storage_delete":   storageDelete,
	"storage_history":  storageHistory,
	"storage_rollback": storageRollback,
	"tool_list":        toolList,
	"tool_call":        toolCall,
	"agent_spawn":      agentSpawn, // ABI 1.3
	"agent_wait":       agentWait,
	"agent_kill":       agentKill,
	"msg_send":         msgSend,
	"msg_recv":         msgRecv,
}

// managerFunc binds a managerCall as a blocking call.
func managerFunc(name string) aiosCall {
	run := managerCalls[name]
	return func(ctx context.Context, g *Guest, mem Memory, p []uint64) error {
		view, err := viewRequest(mem, p[0], p[1], g.lim.Request)
		if err != nil {
			return err
		}
		out := p[2]
		if err := g.prepareResult(mem, out); err != nil {
			return err
		}
		body := bytes.Clone(view) // the kernel may keep it past the guest's next step
		unblock := g.block()
		res, err := g.runManager(ctx, run, body)
		unblock()
		if err != nil {
			return err
		}
		return g.deliver(mem, out, res)
	}
}

// runManager runs a managerCall and encodes its result.
func (g *Guest) runManager(ctx context.Context, run managerCall, body []byte) ([]byte, error) {
	v, err := run(ctx, g.proc, body)
	if err != nil {
		return nil, err
	}
	return encodeResult(v, g.lim.Response)
}

func memoryAdd(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r memoryAddRequest
	if err := decodeBody("memory_add", body, &r); err != nil {
		return nil, err
	}
	id, err := p.MemoryAdd(ctx, r.Space, memory.Entry{Text: r.Text, Metadata: r.Metadata})
	return idResult{ID: string(id)}, err
}

func memoryGet(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r memoryRef
	if err := decodeBody("memory_get", body, &r); err != nil {
		return nil, err
	}
	rec, err := p.MemoryGet(ctx, r.Space, memory.ID(r.ID))
	if err != nil {
		return nil, err
	}
	return entryOf(rec), nil
}

func memoryUpdate(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r memoryUpdateRequest
	if err := decodeBody("memory_update", body, &r); err != nil {
		return nil, err
	}
	err := p.MemoryUpdate(ctx, r.Space, memory.ID(r.ID), memory.Entry{Text: r.Text, Metadata: r.Metadata})
	return idResult{ID: r.ID}, err
}

func memoryDelete(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r memoryRef
	if err := decodeBody("memory_delete", body, &r); err != nil {
		return nil, err
	}
	return struct{}{}, p.MemoryDelete(ctx, r.Space, memory.ID(r.ID))
}

func memorySearch(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r memorySearchRequest
	if err := decodeBody("memory_search", body, &r); err != nil {
		return nil, err
	}
	mode, err := searchMode(r.Mode)
	if err != nil {
		return nil, err
	}
	k := DefaultSearchK
	if r.K != nil {
		k = *r.K
	}
	hits, err := p.MemorySearch(ctx, r.Space, memory.Query{Text: r.Query, Mode: mode, K: k, Filter: r.Filter})
	if err != nil {
		return nil, err
	}
	out := make([]memoryHit, len(hits))
	for i, h := range hits {
		out[i] = memoryHit{ID: string(h.ID), Text: h.Text, Metadata: nonNilMeta(h.Metadata), Score: h.Score}
	}
	return struct {
		Hits []memoryHit `json:"hits"`
	}{out}, nil
}

func storagePut(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r storageKeyRequest
	if err := decodeBody("storage_put", body, &r); err != nil {
		return nil, err
	}
	rev, err := p.StoragePut(ctx, r.Key, r.Value)
	return revision(rev), err
}

func storageGet(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r storageKeyRequest
	if err := decodeBody("storage_get", body, &r); err != nil {
		return nil, err
	}
	if r.Version < 0 {
		return nil, fail(EINVAL, fmt.Sprintf("storage_get: version %d is negative", r.Version))
	}
	it, err := p.StorageGet(ctx, r.Key, storage.Version(r.Version))
	if err != nil {
		return nil, err
	}
	return storageItem{Key: it.Key, Version: int64(it.Version), Time: stamp(it.Time), Size: it.Size, Deleted: it.Deleted, Value: nonNilBytes(it.Value)}, nil
}

func storageList(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r storageKeyRequest
	if err := decodeBody("storage_list", body, &r); err != nil {
		return nil, err
	}
	es, next, err := p.StorageList(ctx, r.Prefix, r.After, r.Limit)
	if err != nil {
		return nil, err
	}
	out := make([]storageEntry, len(es))
	for i, e := range es {
		out[i] = storageEntry{Key: e.Key, Version: int64(e.Version), Time: stamp(e.Time), Size: e.Size}
	}
	return struct {
		Entries []storageEntry `json:"entries"`
		Next    string         `json:"next"`
	}{out, next}, nil
}

func storageDelete(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r storageKeyRequest
	if err := decodeBody("storage_delete", body, &r); err != nil {
		return nil, err
	}
	rev, err := p.StorageDelete(ctx, r.Key)
	return revision(rev), err
}

func storageHistory(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r storageKeyRequest
	if err := decodeBody("storage_history", body, &r); err != nil {
		return nil, err
	}
	if r.Before < 0 {
		return nil, fail(EINVAL, fmt.Sprintf("storage_history: before %d is negative", r.Before))
	}
	revs, err := p.StorageHistory(ctx, r.Key, storage.Version(r.Before), r.Limit)
	if err != nil {
		return nil, err
	}
	out := make([]storageRevision, len(revs))
	for i, rev := range revs {
		out[i] = revision(rev)
	}
	return struct {
		Versions []storageRevision `json:"versions"`
	}{out}, nil
}

func storageRollback(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r storageKeyRequest
	if err := decodeBody("storage_rollback", body, &r); err != nil {
		return nil, err
	}
	var t time.Time
	switch {
	case r.Version < 0:
		return nil, fail(EINVAL, fmt.Sprintf("storage_rollback: version %d is negative", r.Version))
	case (r.Version == 0) == (r.Time == ""):
		return nil, fail(EINVAL, "storage_rollback: give exactly one of version and time")
	case r.Time != "":
		var err error
		if t, err = time.Parse(time.RFC3339Nano, r.Time); err != nil {
			return nil, fail(EINVAL, fmt.Sprintf("storage_rollback: time %s is not RFC 3339", quote(r.Time)))
		}
	}
	rev, err := p.StorageRollback(ctx, r.Key, storage.Version(r.Version), t)
	return revision(rev), err
}

func toolList(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r struct{}
	if err := decodeBody("tool_list", body, &r); err != nil {
		return nil, err
	}
	ts, err := p.ToolList(ctx)
	if err != nil {
		return nil, err
	}
	return struct {
		Tools any `json:"tools"`
	}{ts}, nil
}

func toolCall(ctx context.Context, p *kernel.Process, body []byte) (any, error) {
	var r toolCallRequest
	if err := decodeBody("tool_call", body, &r); err != nil {
		return nil, err
	}
	if r.Name == "" {
		return nil, fail(EINVAL, "tool_call: the request names no tool")
	}
	return p.ToolCall(ctx, r.Name, r.Arguments)
}

func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
