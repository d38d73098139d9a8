package cli

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text an agent controls (its log, the tokens it streams, its manifest, its module's names, the
// text of errors it causes) must not steer the operator's terminal or pass for aios's own
// lines. These helpers make such text inert: every control character other than tab becomes a
// visible Go-style escape (\r, \x1b, \u202e), and so does every byte of invalid UTF-8. Line
// breaks are the callers' business: they split on '\n' and prefix each line.

// safeText neutralises s for one line of terminal output: newlines are escaped too.
func safeText(s string) string { return neutralise(s, false) }

// safeLines neutralises s but keeps its newlines, for multi-line messages that aios itself
// frames (errors printed once, after "aios:").
func safeLines(s string) string { return neutralise(s, true) }

// splitLines splits s into the lines a printer prefixes one by one. A "\r\n" ends a line as
// '\n' does, and one trailing line break adds no empty line.
func splitLines(s string) []string {
	return splitLF(strings.TrimSuffix(s, "\n"))
}

// splitLF splits s at every '\n', dropping the '\r' of each "\r\n".
func splitLF(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

func neutralise(s string, keepNewlines bool) string {
	if isInert(s, keepNewlines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && keepNewlines, r == '\t', !isControl(r):
			b.WriteString(s[i : i+size])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// isInert reports whether neutralise would leave s unchanged, so the common case allocates
// nothing.
func isInert(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return false // decide on the slow path: invalid UTF-8, C1 and bidi controls
		}
		if (c < 0x20 && c != '\t' && !(c == '\n' && keepNewlines)) || c == 0x7f {
			return false
		}
	}
	return true
}

// isControl reports whether r can change what a terminal shows beyond printing itself: C0 and
// C1 controls, DEL, and the Unicode bidirectional overrides and isolates that reorder text.
func isControl(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}

// cutIncomplete splits a chunk of streamed text before what the next chunk may complete: a
// trailing '\r' (of a "\r\n" split in two) or a UTF-8 sequence cut short. Shown alone, the one
// would be escaped as a bare carriage return and the other as invalid bytes.
func cutIncomplete(s string) (whole, rest string) {
	if strings.HasSuffix(s, "\r") {
		return s[:len(s)-1], "\r"
	}
	for k := 1; k <= utf8.UTFMax-1 && k <= len(s); k++ {
		if tail := s[len(s)-k:]; utf8.RuneStart(tail[0]) {
			if !utf8.FullRuneInString(tail) {
				return s[:len(s)-k], tail
			}
			break
		}
	}
	return s, ""
}
