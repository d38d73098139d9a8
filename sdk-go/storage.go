package aios

import (
	"context"
	"fmt"
	"time"
)

// Storage is the agent's versioned key-value store (ABI 1.2), in its own space: every Put and
// Delete writes a new version of the key (1, 2, …), reported once it is durable, and older
// versions stay readable and restorable. Keys are 1 byte to 1 KiB of UTF-8 without NUL and
// opaque ('/' and ".." mean nothing); a value is at most the host's value limit (1 MiB by
// default). A write past the space's version or byte quota gives ErrQuota.
//
// On a host older than ABI 1.2 every method fails with ErrNotSupported. See docs/ABI.md,
// section 5.5.
type Storage struct{}

// Store returns the agent's storage.
func Store() Storage { return Storage{} }

// StorageRevision describes one version of a key, as a write reports it.
type StorageRevision struct {
	Version int64     `json:"version"`
	Time    time.Time `json:"time"`
	Size    int64     `json:"size"`    // the value's length in bytes
	Deleted bool      `json:"deleted"` // the version is a deletion
}

// StorageEntry is a key as Storage.List reports it: its newest version.
type StorageEntry struct {
	Key     string    `json:"key"`
	Version int64     `json:"version"`
	Time    time.Time `json:"time"`
	Size    int64     `json:"size"`
}

// StorageItem is one version of a key with its value.
type StorageItem struct {
	Key     string    `json:"key"`
	Version int64     `json:"version"`
	Time    time.Time `json:"time"`
	Size    int64     `json:"size"`
	Value   []byte    `json:"value"`
}

// The ABI's storage request bodies. []byte values are written as base64, as the ABI's bytes.
type (
	storagePutRequest struct {
		Key   string `json:"key"`
		Value []byte `json:"value"`
	}
	storageKeyRequest struct {
		Key     string `json:"key"`
		Version int64  `json:"version,omitempty"`
	}
	storageRollbackRequest struct {
		Key     string `json:"key"`
		Version int64  `json:"version,omitempty"`
		Time    string `json:"time,omitempty"`
	}
)

// Put stores value as the newest version of key and returns that version.
func (Storage) Put(ctx context.Context, key string, value []byte) (StorageRevision, error) {
	if value == nil {
		value = []byte{} // "" rather than null: an empty value, not a missing one
	}
	return revisionCall("storage_put", storagePutRequest{Key: key, Value: value}).run(ctx, std)
}

// Get returns the newest version of key. A key never written, or whose newest version is a
// deletion, gives ErrNotFound.
func (Storage) Get(ctx context.Context, key string) (StorageItem, error) {
	return getCall(key, 0).run(ctx, std)
}

// GetVersion returns version (1 or more) of key.
func (Storage) GetVersion(ctx context.Context, key string, version int64) (StorageItem, error) {
	if err := checkVersion("storage_get", version); err != nil {
		return StorageItem{}, err
	}
	return getCall(key, version).run(ctx, std)
}

// StartGet starts Get asynchronously and returns at once.
func (Storage) StartGet(key string) (*Pending[StorageItem], error) {
	return getCall(key, 0).start(std)
}

// Delete writes a deletion as the newest version of key and returns it. The older versions
// stay: Rollback restores one.
func (Storage) Delete(ctx context.Context, key string) (StorageRevision, error) {
	return revisionCall("storage_delete", storageKeyRequest{Key: key}).run(ctx, std)
}

// Rollback writes a new version of key that copies version (1 or more); rolling back to a
// deletion deletes.
func (Storage) Rollback(ctx context.Context, key string, version int64) (StorageRevision, error) {
	if err := checkVersion("storage_rollback", version); err != nil {
		return StorageRevision{}, err
	}
	return revisionCall("storage_rollback", storageRollbackRequest{Key: key, Version: version}).run(ctx, std)
}

// RollbackTo writes a new version of key that copies the version current at t.
func (Storage) RollbackTo(ctx context.Context, key string, t time.Time) (StorageRevision, error) {
	body := storageRollbackRequest{Key: key, Time: t.UTC().Format(time.RFC3339Nano)}
	return revisionCall("storage_rollback", body).run(ctx, std)
}

func revisionCall(name string, body any) request[StorageRevision] {
	return request[StorageRevision]{name: name, what: "storage", body: body, decode: whole[StorageRevision](name)}
}

func getCall(key string, version int64) request[StorageItem] {
	return request[StorageItem]{
		name:   "storage_get",
		what:   "storage",
		body:   storageKeyRequest{Key: key, Version: version},
		decode: whole[StorageItem]("storage_get"),
	}
}

func checkVersion(call string, version int64) error {
	if version >= 1 {
		return nil
	}
	return &Error{Code: ErrInvalid, Name: ErrInvalid.String(), Call: call, Message: fmt.Sprintf("version %d is not 1 or more", version)}
}
