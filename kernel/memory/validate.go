package memory

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkEntry validates e against the caps and returns its size in bytes: text plus metadata
// keys and values, the figure charged to the space's byte quota.
func (s *Store) checkEntry(e Entry) (int64, error) {
	if !utf8.ValidString(e.Text) {
		return 0, fmt.Errorf("%w: text is not valid UTF-8", ErrInvalid)
	}
	if len(e.Metadata) > MaxMetaKeys {
		return 0, fmt.Errorf("%w: %d metadata keys, at most %d", ErrInvalid, len(e.Metadata), MaxMetaKeys)
	}
	size := int64(len(e.Text))
	for k, v := range e.Metadata {
		if err := checkMeta(k, v); err != nil {
			return 0, err
		}
		size += int64(len(k) + len(v))
	}
	if size > int64(s.opts.MaxEntryBytes) {
		return 0, fmt.Errorf("%w: entry of %d bytes, at most %d", ErrInvalid, size, s.opts.MaxEntryBytes)
	}
	return size, nil
}

// checkMeta validates one metadata (or filter) pair.
func checkMeta(k, v string) error {
	switch {
	case k == "":
		return fmt.Errorf("%w: empty metadata key", ErrInvalid)
	case len(k) > MaxMetaKeyBytes:
		return fmt.Errorf("%w: metadata key of %d bytes, at most %d", ErrInvalid, len(k), MaxMetaKeyBytes)
	case len(v) > MaxMetaValueBytes:
		return fmt.Errorf("%w: metadata value of %d bytes, at most %d", ErrInvalid, len(v), MaxMetaValueBytes)
	case !utf8.ValidString(k) || !utf8.ValidString(v):
		return fmt.Errorf("%w: metadata is not valid UTF-8", ErrInvalid)
	}
	return nil
}

const idBytes = 16

func newID() (ID, error) {
	var b [idBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new memory id: %w", err)
	}
	return ID(hex.EncodeToString(b[:])), nil
}

func checkID(id ID) error {
	if len(id) != 2*idBytes {
		return fmt.Errorf("%w: malformed id", ErrInvalid)
	}
	for _, c := range []byte(id) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return fmt.Errorf("%w: malformed id", ErrInvalid)
		}
	}
	return nil
}

// queryWords splits free text into words as FTS5's unicode61 tokenizer does: runs of
// letters, digits and marks. A word holds no quote or operator character, so no query
// syntax survives.
func queryWords(text string) []string {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
	})
	return words[:min(len(words), maxQueryTerms)]
}

// matchExpr is the FTS5 query for words: each a quoted string, joined by OR. FTS5 reads a
// quoted string as plain text (AND, NEAR, * or a column name inside it are just words).
func matchExpr(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteByte('"')
		b.WriteString(w)
		b.WriteByte('"')
	}
	return b.String()
}

// ftsQuery is matchExpr(queryWords(text)); "" when the text holds no word.
func ftsQuery(text string) string { return matchExpr(queryWords(text)) }
