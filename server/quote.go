package server

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxQuoted is how many bytes of a request's value an error message quotes.
const maxQuoted = 64

// quote is s quoted for an error message: its first maxQuoted bytes and, past them, how long
// it was, so that a megabyte sent in a field is not sent back in the answer.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:cut]), len(s))
}

// maxErrorText is the longest error text passed on from a decoder, which may quote the input.
const maxErrorText = 512

// clip is an error's text of at most maxErrorText bytes.
func clip(err error) string {
	text := err.Error()
	if len(text) <= maxErrorText {
		return text
	}
	cut := maxErrorText
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + "…"
}
