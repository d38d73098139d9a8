package aios

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestMemoryAddGetUpdateDelete(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx := context.Background()
	mem := Mem()
	id, err := mem.Add(ctx, "the cat sat", map[string]string{"kind": "note"})
	if err != nil {
		t.Fatal(err)
	}
	if len(id) != 32 {
		t.Fatalf("id %q is not 32 hex digits", id)
	}
	if sent := h.lastSent("memory_add"); !reflect.DeepEqual(sent, map[string]any{"text": "the cat sat", "metadata": map[string]any{"kind": "note"}}) {
		t.Errorf("memory_add body %v: want text and metadata, no space", sent)
	}
	e, err := mem.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := MemoryEntry{ID: id, Text: "the cat sat", Metadata: map[string]string{"kind": "note"},
		Created: fakeEpoch.Add(time.Second), Updated: fakeEpoch.Add(time.Second)}
	if !reflect.DeepEqual(e, want) || e.Created.Location() != time.UTC {
		t.Errorf("Get = %+v, want %+v in UTC", e, want)
	}
	if err := mem.Update(ctx, id, "the dog sat", nil); err != nil {
		t.Fatal(err)
	}
	if sent := h.lastSent("memory_update"); !reflect.DeepEqual(sent, map[string]any{"id": id, "text": "the dog sat", "metadata": map[string]any{}}) {
		t.Errorf("memory_update body %v", sent)
	}
	e, _ = mem.Get(ctx, id)
	if e.Text != "the dog sat" || len(e.Metadata) != 0 || !e.Updated.After(e.Created) {
		t.Errorf("after Update: %+v", e)
	}
	if err := mem.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Get(ctx, id); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "no entry") {
		t.Errorf("Get after Delete: err = %v, want ErrNotFound with the host's message", err)
	}
	if err := mem.Delete(ctx, "../etc"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Delete of a malformed id: err = %v, want ErrInvalid", err)
	}
	h.checkClean(t)
}

func TestSharedMemory(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx := context.Background()
	id, err := SharedMemory("team").Add(ctx, "shared fact", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sent := h.lastSent("memory_add"); sent["space"] != "team" {
		t.Errorf("memory_add body %v: want space team", sent)
	}
	if _, err := Mem().Get(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("the shared entry in the own space: err = %v, want ErrNotFound", err)
	}
	if _, err := SharedMemory("other").Add(ctx, "x", nil); !errors.Is(err, ErrPermission) {
		t.Errorf("an ungranted space: err = %v, want ErrPermission", err)
	}
	sent := len(h.sent)
	for _, bad := range []string{"", "a/b", "a b", strings.Repeat("x", 65), "nul\x00"} {
		if _, err := SharedMemory(bad).Search(ctx, "x"); !errors.Is(err, ErrInvalid) {
			t.Errorf("space %q: err = %v, want ErrInvalid", bad, err)
		}
	}
	if len(h.sent) != sent {
		t.Errorf("malformed space names reached the host")
	}
}

func TestMemoryQuota(t *testing.T) {
	h := newFakeHost()
	h.memQuota = 1
	useHost(t, h)
	ctx := context.Background()
	if _, err := Mem().Add(ctx, "one", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Mem().Add(ctx, "two", nil); !errors.Is(err, ErrQuota) {
		t.Errorf("past the quota: err = %v, want ErrQuota", err)
	}
}

func TestMemorySearch(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx := context.Background()
	mem := Mem()
	a, _ := mem.Add(ctx, "red apple, red cherry", map[string]string{"kind": "fruit"})
	b, _ := mem.Add(ctx, "red car", map[string]string{"kind": "thing"})
	_, _ = mem.Add(ctx, "blue sky", nil)

	hits, err := mem.Search(ctx, "red")
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 || hits[0].ID != a || hits[1].ID != b || hits[0].Score <= hits[1].Score ||
		hits[0].Metadata["kind"] != "fruit" || hits[0].Text != "red apple, red cherry" {
		t.Errorf("hits %+v: want the apple, then the car", hits)
	}
	if sent := h.lastSent("memory_search"); !reflect.DeepEqual(sent, map[string]any{"query": "red"}) {
		t.Errorf("default search body %v: want only the query", sent)
	}

	hits, err = mem.Search(ctx, "red", Keyword(), TopK(1), Where("kind", "thing"))
	if err != nil || len(hits) != 1 || hits[0].ID != b {
		t.Fatalf("filtered search = %+v, %v", hits, err)
	}
	want := map[string]any{"query": "red", "mode": "keyword", "k": float64(1), "filter": map[string]any{"kind": "thing"}}
	if sent := h.lastSent("memory_search"); !reflect.DeepEqual(sent, want) {
		t.Errorf("search body %v, want %v", sent, want)
	}

	if _, err := mem.Search(ctx, "red", Vector()); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "embedding") {
		t.Errorf("vector search without an embedding core: err = %v, want ErrNotFound naming it", err)
	}
	h.embeddings = true
	for mode, opt := range map[string]SearchOption{"vector": Vector(), "hybrid": Hybrid()} {
		if _, err := mem.Search(ctx, "red", opt); err != nil {
			t.Errorf("%s search: %v", mode, err)
		}
		if sent := h.lastSent("memory_search"); sent["mode"] != mode {
			t.Errorf("%s search sent mode %v", mode, sent["mode"])
		}
	}
	hits, err = mem.Search(ctx, "green")
	if err != nil || hits == nil || len(hits) != 0 {
		t.Errorf("no hits: %#v, %v; want an empty list", hits, err)
	}

	sent := len(h.sent)
	for _, k := range []int{0, -1} {
		if _, err := mem.Search(ctx, "red", TopK(k)); !errors.Is(err, ErrInvalid) {
			t.Errorf("TopK(%d): err = %v, want ErrInvalid", k, err)
		}
	}
	if len(h.sent) != sent {
		t.Errorf("an invalid k reached the host")
	}
	h.checkClean(t)
}
