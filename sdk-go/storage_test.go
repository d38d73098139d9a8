package aios

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestStoragePutGetVersions(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx := context.Background()
	st := Store()
	rev, err := st.Put(ctx, "conf/a", []byte("one\x00\xff"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (StorageRevision{Version: 1, Time: fakeEpoch.Add(time.Second), Size: 5}); rev != want {
		t.Errorf("Put = %+v, want %+v", rev, want)
	}
	if sent := h.lastSent("storage_put"); !reflect.DeepEqual(sent, map[string]any{"key": "conf/a", "value": "b25lAP8="}) {
		t.Errorf("storage_put body %v: want the value in base64", sent)
	}
	if rev, err = st.Put(ctx, "conf/a", nil); err != nil || rev.Version != 2 || rev.Size != 0 {
		t.Fatalf("second Put (empty) = %+v, %v", rev, err)
	}
	if sent := h.lastSent("storage_put"); sent["value"] != "" {
		t.Errorf("an empty value was sent as %#v, want \"\"", sent["value"])
	}
	item, err := st.Get(ctx, "conf/a")
	if err != nil || item.Version != 2 || len(item.Value) != 0 || item.Key != "conf/a" {
		t.Errorf("Get = %+v, %v; want version 2, empty", item, err)
	}
	if sent := h.lastSent("storage_get"); !reflect.DeepEqual(sent, map[string]any{"key": "conf/a"}) {
		t.Errorf("storage_get body %v: want no version", sent)
	}
	item, err = st.GetVersion(ctx, "conf/a", 1)
	if err != nil || string(item.Value) != "one\x00\xff" || item.Size != 5 || item.Version != 1 {
		t.Errorf("GetVersion 1 = %+v, %v", item, err)
	}
	if sent := h.lastSent("storage_get"); sent["version"] != float64(1) {
		t.Errorf("storage_get body %v: want version 1", sent)
	}
	for _, v := range []int64{0, -1} {
		if _, err := st.GetVersion(ctx, "conf/a", v); !errors.Is(err, ErrInvalid) {
			t.Errorf("GetVersion %d: err = %v, want ErrInvalid", v, err)
		}
	}
	if _, err := st.Get(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of a missing key: err = %v, want ErrNotFound", err)
	}
	if _, err := st.Put(ctx, "", []byte("x")); !errors.Is(err, ErrInvalid) {
		t.Errorf("Put with an empty key: err = %v, want ErrInvalid", err)
	}
	h.checkClean(t)
}

func TestStorageDeleteRollback(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx := context.Background()
	st := Store()
	v1, _ := st.Put(ctx, "k", []byte("first"))
	_, _ = st.Put(ctx, "k", []byte("second"))
	del, err := st.Delete(ctx, "k")
	if err != nil || del.Version != 3 || !del.Deleted {
		t.Fatalf("Delete = %+v, %v", del, err)
	}
	if _, err := st.Get(ctx, "k"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	rev, err := st.Rollback(ctx, "k", 2)
	if err != nil || rev.Version != 4 || rev.Deleted {
		t.Fatalf("Rollback to 2 = %+v, %v", rev, err)
	}
	if sent := h.lastSent("storage_rollback"); !reflect.DeepEqual(sent, map[string]any{"key": "k", "version": float64(2)}) {
		t.Errorf("storage_rollback body %v", sent)
	}
	if item, _ := st.Get(ctx, "k"); string(item.Value) != "second" {
		t.Errorf("after Rollback: %q, want second", item.Value)
	}
	// The time of version 1, given in another zone, is sent in UTC.
	at := v1.Time.Add(500 * time.Millisecond).In(time.FixedZone("X", 3600))
	if rev, err = st.RollbackTo(ctx, "k", at); err != nil || rev.Version != 5 {
		t.Fatalf("RollbackTo = %+v, %v", rev, err)
	}
	if sent := h.lastSent("storage_rollback"); !reflect.DeepEqual(sent, map[string]any{"key": "k", "time": "2026-01-02T03:04:06.5Z"}) {
		t.Errorf("storage_rollback body %v", sent)
	}
	if item, _ := st.Get(ctx, "k"); string(item.Value) != "first" {
		t.Errorf("after RollbackTo: %q, want first", item.Value)
	}
	if _, err := st.Rollback(ctx, "k", 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("Rollback to 0: err = %v, want ErrInvalid", err)
	}
	if _, err := st.Rollback(ctx, "k", 99); !errors.Is(err, ErrNotFound) {
		t.Errorf("Rollback to 99: err = %v, want ErrNotFound", err)
	}

	var versions []int64
	for r, err := range st.History(ctx, "k") {
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, r.Version)
	}
	if !reflect.DeepEqual(versions, []int64{5, 4, 3, 2, 1}) {
		t.Errorf("History = %v, want 5 to 1", versions)
	}
	page, err := st.HistoryPage(ctx, "k", 4, 2)
	if err != nil || len(page) != 2 || page[0].Version != 3 || !page[0].Deleted || page[1].Version != 2 {
		t.Errorf("HistoryPage before 4, 2 = %+v, %v", page, err)
	}
	if sent := h.lastSent("storage_history"); !reflect.DeepEqual(sent, map[string]any{"key": "k", "before": float64(4), "limit": float64(2)}) {
		t.Errorf("storage_history body %v", sent)
	}
	if _, err := st.HistoryPage(ctx, "k", -1, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("before -1: err = %v, want ErrInvalid", err)
	}
	h.checkClean(t)
}

func TestStorageHistoryPages(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx := context.Background()
	for i := range 5 {
		if _, err := Store().Put(ctx, "k", []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	// A host whose default page is two versions: History reads three pages.
	h.historyDefault = 2
	var versions []int64
	for r, err := range Store().History(ctx, "k") {
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, r.Version)
	}
	if !reflect.DeepEqual(versions, []int64{5, 4, 3, 2, 1}) {
		t.Errorf("History = %v, want 5 to 1", versions)
	}
	if sent := h.lastSent("storage_history"); !reflect.DeepEqual(sent, map[string]any{"key": "k", "before": float64(2)}) {
		t.Errorf("last storage_history body %v: want before 2", sent)
	}
}

func TestStorageList(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx := context.Background()
	st := Store()
	for _, k := range []string{"b/2", "a/1", "b/1", "b/3", "c"} {
		if _, err := st.Put(ctx, k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Delete(ctx, "b/3"); err != nil {
		t.Fatal(err)
	}
	entries, next, err := st.ListPage(ctx, "b/", "", 1)
	if err != nil || len(entries) != 1 || entries[0].Key != "b/1" || next != "b/1" || entries[0].Size != 3 {
		t.Fatalf("first page = %+v, %q, %v", entries, next, err)
	}
	if sent := h.lastSent("storage_list"); !reflect.DeepEqual(sent, map[string]any{"prefix": "b/", "limit": float64(1)}) {
		t.Errorf("storage_list body %v", sent)
	}
	entries, next, err = st.ListPage(ctx, "b/", next, 1)
	if err != nil || len(entries) != 1 || entries[0].Key != "b/2" || next != "" {
		t.Fatalf("second page = %+v, %q, %v", entries, next, err)
	}
	if sent := h.lastSent("storage_list"); sent["after"] != "b/1" {
		t.Errorf("storage_list body %v: want after b/1", sent)
	}
	var keys []string
	for e, err := range st.List(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, e.Key)
	}
	if !reflect.DeepEqual(keys, []string{"a/1", "b/1", "b/2", "c"}) {
		t.Errorf("List = %v", keys)
	}
	if _, _, err := st.ListPage(ctx, "", "", -1); !errors.Is(err, ErrInvalid) {
		t.Errorf("limit -1: err = %v, want ErrInvalid", err)
	}
	h.checkClean(t)
}

func TestStorageListPages(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx := context.Background()
	for i := range 2500 {
		if _, err := Store().Put(ctx, fmt.Sprintf("k%04d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for e, err := range Store().List(ctx, "k") {
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("k%04d", n); e.Key != want {
			t.Fatalf("entry %d is %q, want %q", n, e.Key, want)
		}
		n++
	}
	lists := 0
	for _, s := range h.sent {
		if s.name == "storage_list" {
			lists++
		}
	}
	if n != 2500 || lists != 3 {
		t.Errorf("List gave %d keys in %d pages, want 2500 in 3", n, lists)
	}
}

func TestStorageQuotaAndErrorsStopIterators(t *testing.T) {
	h := newFakeHost()
	h.versionQuota = 1
	useHost(t, h)
	ctx := context.Background()
	if _, err := Store().Put(ctx, "a", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := Store().Put(ctx, "a", []byte("y")); !errors.Is(err, ErrQuota) {
		t.Errorf("past the quota: err = %v, want ErrQuota", err)
	}
	h.minor = 1
	useHost(t, h) // a fresh handshake, with a 1.1 host
	n := 0
	for _, err := range Store().List(ctx, "") {
		n++
		if !errors.Is(err, ErrNotSupported) {
			t.Errorf("List on a 1.1 host: err = %v, want ErrNotSupported", err)
		}
	}
	for _, err := range Store().History(ctx, "a") {
		n++
		if !errors.Is(err, ErrNotSupported) {
			t.Errorf("History on a 1.1 host: err = %v, want ErrNotSupported", err)
		}
	}
	if n != 2 {
		t.Errorf("the iterators yielded %d times, want one error each", n)
	}
}
