package kernel

import (
	"context"
	"fmt"
	"time"

	"github.com/aiosys/aios/kernel/storage"
)

// The storage calls of ABI 1.2. They act on the process's own space only, are decided by
// policy (with no arguments: the key is payload, not something policy decides on), and run on
// the kernel's storage store with the process blocked.

// StoragePut writes value as key's next version and returns that version.
func (p *Process) StoragePut(ctx context.Context, key string, value []byte) (storage.Revision, error) {
	return p.storageWrite(ctx, "storage_put", key, func(ctx context.Context, s *storage.Store) (storage.Version, error) {
		return s.Put(ctx, p.ownSpace(), key, value)
	})
}

// StorageDelete writes a deletion as key's next version.
func (p *Process) StorageDelete(ctx context.Context, key string) (storage.Revision, error) {
	return p.storageWrite(ctx, "storage_delete", key, func(ctx context.Context, s *storage.Store) (storage.Version, error) {
		return s.Delete(ctx, p.ownSpace(), key)
	})
}

// StorageRollback writes a copy of version to (to > 0) or of the version current at t (to == 0)
// as key's next version.
func (p *Process) StorageRollback(ctx context.Context, key string, to storage.Version, t time.Time) (storage.Revision, error) {
	return p.storageWrite(ctx, "storage_rollback", key, func(ctx context.Context, s *storage.Store) (storage.Version, error) {
		if to != 0 {
			return s.Rollback(ctx, p.ownSpace(), key, to)
		}
		return s.RollbackTo(ctx, p.ownSpace(), key, t)
	})
}

// StorageGet reads version v of key (0: the newest).
func (p *Process) StorageGet(ctx context.Context, key string, v storage.Version) (storage.Item, error) {
	var it storage.Item
	err := p.storageCall(ctx, "storage_get", func(ctx context.Context, s *storage.Store) (err error) {
		if v == 0 {
			it, err = s.Get(ctx, p.ownSpace(), key)
		} else {
			it, err = s.GetVersion(ctx, p.ownSpace(), key, v)
		}
		return err
	})
	return it, err
}

// StorageList lists up to limit keys after after that start with prefix, and the key to list
// after next ("" after the last page).
func (p *Process) StorageList(ctx context.Context, prefix, after string, limit int) ([]storage.Entry, string, error) {
	var es []storage.Entry
	var next string
	err := p.storageCall(ctx, "storage_list", func(ctx context.Context, s *storage.Store) (err error) {
		es, next, err = s.List(ctx, p.ownSpace(), prefix, after, limit)
		return err
	})
	return es, next, err
}

// StorageHistory lists up to limit versions of key older than before (0: from the newest),
// newest first.
func (p *Process) StorageHistory(ctx context.Context, key string, before storage.Version, limit int) ([]storage.Revision, error) {
	var rs []storage.Revision
	err := p.storageCall(ctx, "storage_history", func(ctx context.Context, s *storage.Store) (err error) {
		rs, err = s.History(ctx, p.ownSpace(), key, before, limit)
		return err
	})
	return rs, err
}

// storageWrite runs a write and describes the version it made.
func (p *Process) storageWrite(ctx context.Context, call, key string, write func(context.Context, *storage.Store) (storage.Version, error)) (storage.Revision, error) {
	var rev storage.Revision
	err := p.storageCall(ctx, call, func(ctx context.Context, s *storage.Store) error {
		v, err := write(ctx, s)
		if err != nil {
			return err
		}
		rs, err := s.History(ctx, p.ownSpace(), key, v+1, 1)
		if err != nil || len(rs) == 0 || rs[0].Version != v {
			return fmt.Errorf("version %d was written but cannot be read back: %v", v, err)
		}
		rev = rs[0]
		return nil
	})
	return rev, err
}

// storageCall takes the policy decision and runs fn on the storage store.
func (p *Process) storageCall(ctx context.Context, call string, fn func(context.Context, *storage.Store) error) (err error) {
	s := p.k.storage
	if s == nil {
		return fmt.Errorf("%s: storage %w (it needs a data directory)", call, ErrNoManager)
	}
	defer p.startCall(call).end(&err)
	if _, err := p.Authorize(ctx, call, map[string]any{}); err != nil {
		return err
	}
	p.count()
	p.block()
	defer p.unblock()
	if err := fn(ctx, s); err != nil {
		return fmt.Errorf("%s: %w", call, err)
	}
	return nil
}
