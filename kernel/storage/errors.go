package storage

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound: the key, the version or a version at the time asked for does not exist in
	// the caller's space (or the key's newest version is a tombstone).
	ErrNotFound = errors.New("not found")
	// ErrInvalid: a key, value, version, limit or space is malformed or beyond its cap.
	ErrInvalid = errors.New("invalid argument")
	// ErrQuota: the write would take the space past its versions or bytes quota.
	ErrQuota = errors.New("storage quota exceeded")
	// ErrClosed: the Store is closed.
	ErrClosed = errors.New("storage is closed")
)

// quoteKeyMax bounds how much of a key an error message quotes.
const quoteKeyMax = 48

// quoteKey quotes key for an error message, cut short so that a huge key makes no huge error.
func quoteKey(key string) string {
	if len(key) <= quoteKeyMax {
		return fmt.Sprintf("%q", key)
	}
	return fmt.Sprintf("%q… (%d bytes)", key[:quoteKeyMax], len(key))
}
