package llm

import (
	"strings"
	"unicode"
)

// countWords counts the whitespace-separated words of s: the echo core's notion of a token, and
// the estimate used when a backend reports no usage.
func countWords(s string) int { return len(strings.Fields(s)) }

// countMessageWords counts the words of every message's content.
func countMessageWords(msgs []Message) int {
	n := 0
	for _, m := range msgs {
		n += countWords(m.Content)
	}
	return n
}

// splitWords cuts s into the whitespace before its first word and pieces that each hold one word
// and the whitespace after it, so that lead + the pieces joined == s.
func splitWords(s string) (lead string, pieces []string) {
	start := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) })
	if start < 0 {
		return s, nil
	}
	lead, rest := s[:start], s[start:]
	for rest != "" {
		end := strings.IndexFunc(rest, unicode.IsSpace)
		if end < 0 {
			pieces = append(pieces, rest)
			break
		}
		next := strings.IndexFunc(rest[end:], func(r rune) bool { return !unicode.IsSpace(r) })
		if next < 0 {
			pieces = append(pieces, rest)
			break
		}
		pieces = append(pieces, rest[:end+next])
		rest = rest[end+next:]
	}
	return lead, pieces
}

// textReserve is the room a streamed answer's text is given at first, so that a short answer
// is kept in one allocation and a long one in few.
const textReserve = 256
