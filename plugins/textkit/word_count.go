package main

//lint:file-ignore U1000 the host calls the //go:wasmexport functions, which staticcheck does not count as uses

import (
	"strings"
	"unicode/utf8"
)

// wordCountInput is word_count's argument.
type wordCountInput struct {
	Text string `json:"text"`
}

// wordCountOutput is word_count's answer. Chars counts Unicode code points (an invalid UTF-8
// byte counts as one), Lines counts newline-separated lines (a final line without a newline
// counts).
type wordCountOutput struct {
	Words int `json:"words"`
	Chars int `json:"chars"`
	Lines int `json:"lines"`
	Bytes int `json:"bytes"`
}

// wordCount exports word_count: {"text": string} → {"words", "chars", "lines", "bytes"}.
//
//go:wasmexport word_count
func wordCount() int32 {
	return run(func(in wordCountInput) (any, error) { return countWords(in.Text), nil })
}

func countWords(text string) wordCountOutput {
	lines := strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		lines++
	}
	return wordCountOutput{
		Words: len(strings.Fields(text)),
		Chars: utf8.RuneCountInString(text),
		Lines: lines,
		Bytes: len(text),
	}
}
