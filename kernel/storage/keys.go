package storage

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aiosys/aios/kernel/space"
)

// checkKey returns nil if key is a valid key under s's limits; see the package doc.
func (s *Store) checkKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty key", ErrInvalid)
	}
	return s.checkKeyText("key", key)
}

// checkKeyText applies the rules of keys but emptiness to a key or to a List prefix or cursor,
// named what in errors.
func (s *Store) checkKeyText(what, key string) error {
	if len(key) > s.limits.MaxKeyBytes {
		return fmt.Errorf("%w: %s %s is longer than %d bytes", ErrInvalid, what, quoteKey(key), s.limits.MaxKeyBytes)
	}
	if strings.IndexByte(key, 0) >= 0 {
		return fmt.Errorf("%w: %s %s contains a NUL byte", ErrInvalid, what, quoteKey(key))
	}
	if !utf8.ValidString(key) {
		return fmt.Errorf("%w: %s %s is not valid UTF-8", ErrInvalid, what, quoteKey(key))
	}
	return nil
}

// checkSpace refuses the zero Space, which no identity has, so that a caller that forgot to
// derive one fails instead of sharing a namespace with every other such caller.
func checkSpace(sp space.Space) error {
	if sp == "" {
		return fmt.Errorf("%w: empty space", ErrInvalid)
	}
	return nil
}

// prefixEnd returns the smallest byte string greater than every string starting with prefix,
// and false when there is none (prefix is empty or all 0xFF).
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
