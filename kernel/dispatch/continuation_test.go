package dispatch

import (
	"reflect"
	"testing"

	"github.com/aiosys/aios/kernel/llm"
)

func TestContinuation(t *testing.T) {
	req := typed("p", 10)
	if next, done := continuation(req, "", 0); done || len(next.Messages) != 1 || next.MaxTokens != 10 {
		t.Fatalf("nothing streamed yet: %+v, done %v; want the request unchanged", next, done)
	}
	next, done := continuation(req, "p0 p1 p2 ", 3)
	if done || next.MaxTokens != 7 {
		t.Fatalf("after 3 chunks: max_tokens %d, done %v; want 7 left", next.MaxTokens, done)
	}
	if last := next.Messages[len(next.Messages)-1]; !reflect.DeepEqual(last, llm.Message{Role: "assistant", Content: "p0 p1 p2 "}) {
		t.Fatalf("last message %+v; want the partial text as the assistant's", last)
	}
	if len(req.Messages) != 1 {
		t.Fatal("continuation must not change the caller's messages")
	}
	if _, done := continuation(req, "p0 … p9 ", 10); !done {
		t.Fatal("a budget used up by earlier pieces must end the generation")
	}
}
