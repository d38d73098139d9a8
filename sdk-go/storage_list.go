package aios

import (
	"context"
	"fmt"
	"iter"
)

// The ABI's storage_list and storage_history bodies.
type (
	storageListRequest struct {
		Prefix string `json:"prefix"`
		After  string `json:"after,omitempty"`
		Limit  int    `json:"limit,omitempty"`
	}
	storageListResult struct {
		Entries []StorageEntry `json:"entries"`
		Next    string         `json:"next"`
	}
	storageHistoryRequest struct {
		Key    string `json:"key"`
		Before int64  `json:"before,omitempty"`
		Limit  int    `json:"limit,omitempty"`
	}
	storageHistoryResult struct {
		Versions []StorageRevision `json:"versions"`
	}
)

// ListPage returns, in byte order, at most limit keys (0: the host's default, 100; at most 1,000)
// that start with prefix and come after after, and in next the after of the next page: "" after
// the last. Deleted keys are not listed.
func (Storage) ListPage(ctx context.Context, prefix, after string, limit int) (entries []StorageEntry, next string, err error) {
	if err := checkLimit("storage_list", limit); err != nil {
		return nil, "", err
	}
	r, err := request[storageListResult]{
		name:   "storage_list",
		what:   "storage",
		body:   storageListRequest{Prefix: prefix, After: after, Limit: limit},
		decode: whole[storageListResult]("storage_list"),
	}.run(ctx, std)
	return r.Entries, r.Next, err
}

// List returns an iterator over every key that starts with prefix, in byte order, reading a
// page at a time. It yields one error and stops if a page cannot be read.
func (s Storage) List(ctx context.Context, prefix string) iter.Seq2[StorageEntry, error] {
	return func(yield func(StorageEntry, error) bool) {
		after := ""
		for {
			entries, next, err := s.ListPage(ctx, prefix, after, 0)
			if err != nil {
				yield(StorageEntry{}, err)
				return
			}
			for _, e := range entries {
				if !yield(e, nil) {
					return
				}
			}
			if next == "" || next == after {
				return
			}
			after = next
		}
	}
}

// HistoryPage returns at most limit (0: the host's default) versions of key, newest first,
// older than before (0: from the newest).
func (Storage) HistoryPage(ctx context.Context, key string, before int64, limit int) ([]StorageRevision, error) {
	if err := checkLimit("storage_history", limit); err != nil {
		return nil, err
	}
	if before < 0 {
		return nil, &Error{Code: ErrInvalid, Name: ErrInvalid.String(), Call: "storage_history", Message: fmt.Sprintf("before %d is negative", before)}
	}
	return request[[]StorageRevision]{
		name:   "storage_history",
		what:   "storage",
		body:   storageHistoryRequest{Key: key, Before: before, Limit: limit},
		decode: field("storage_history", func(r storageHistoryResult) []StorageRevision { return r.Versions }),
	}.run(ctx, std)
}

// History returns an iterator over every version of key, newest first, reading a page at a
// time. It yields one error and stops if a page cannot be read.
func (s Storage) History(ctx context.Context, key string) iter.Seq2[StorageRevision, error] {
	return func(yield func(StorageRevision, error) bool) {
		before := int64(0)
		for {
			versions, err := s.HistoryPage(ctx, key, before, 0)
			if err != nil {
				yield(StorageRevision{}, err)
				return
			}
			for _, v := range versions {
				if !yield(v, nil) {
					return
				}
			}
			// Versions count down to 1; a page that does not move down is the host's last.
			if len(versions) == 0 {
				return
			}
			last := versions[len(versions)-1].Version
			if last <= 1 || (before != 0 && last >= before) {
				return
			}
			before = last
		}
	}
}

func checkLimit(call string, limit int) error {
	if limit >= 0 {
		return nil
	}
	return &Error{Code: ErrInvalid, Name: ErrInvalid.String(), Call: call, Message: fmt.Sprintf("limit %d is negative", limit)}
}
