package main

//lint:file-ignore U1000 the host calls the //go:wasmexport functions, which staticcheck does not count as uses

import (
	"fmt"
	"strings"
	"unicode"
)

// slugifyInput is slugify's argument. MaxLength, when positive, cuts the slug at a word
// boundary to at most that many bytes.
type slugifyInput struct {
	Text      string `json:"text"`
	MaxLength int    `json:"max_length"`
}

// slugifyOutput is slugify's answer.
type slugifyOutput struct {
	Slug string `json:"slug"`
}

// slugify exports slugify: {"text": string, "max_length"?: int} → {"slug": string}, the text
// lower-cased with every run of non-alphanumeric characters turned into one hyphen.
//
//go:wasmexport slugify
func slugify() int32 {
	return run(func(in slugifyInput) (any, error) {
		if in.MaxLength < 0 {
			return nil, fmt.Errorf("max_length %d is negative", in.MaxLength)
		}
		return slugifyOutput{Slug: makeSlug(in.Text, in.MaxLength)}, nil
	})
}

// makeSlug keeps letters and digits (lower-cased, any script) and joins the words between them
// with single hyphens.
func makeSlug(text string, maxLength int) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		word = strings.ToLower(word)
		need := len(word)
		if b.Len() > 0 {
			need++
		}
		if maxLength > 0 && b.Len()+need > maxLength {
			break
		}
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(word)
	}
	return b.String()
}
