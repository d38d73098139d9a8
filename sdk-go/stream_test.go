package aios

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestStreamChunksAndResult(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	s, err := Stream(context.Background(), Prompt("one two three"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for c, err := range s.Chunks() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c.Text)
	}
	if want := []string{"echo: ", "one ", "two ", "three"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("chunks = %q, want %q", got, want)
	}
	resp, err := s.Result()
	if err != nil || resp.Text != "echo: one two three" {
		t.Errorf("Result = %+v, %v", resp, err)
	}
	if !h.requests[0].Stream {
		t.Error("request was not sent with stream: true")
	}
	h.checkClean(t)
}

func TestStreamBreakEarly(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	s, err := Stream(context.Background(), Request{Messages: []Message{UserMessage("a b c d")}, MaxTokens: 7})
	if err != nil {
		t.Fatal(err)
	}
	for c, err := range s.Chunks() {
		if err != nil || c.Text != "echo: " {
			t.Fatalf("first chunk = %q, %v", c.Text, err)
		}
		break
	}
	resp, err := s.Result()
	if err != nil || resp.Text != "echo: a b c d" {
		t.Errorf("Result after break = %+v, %v", resp, err)
	}
	h.checkClean(t)
}

func TestStreamResultWithoutChunks(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	s, err := Stream(context.Background(), Prompt("x y"))
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := s.Result(); err != nil || resp.Text != "echo: x y" {
		t.Errorf("Result = %+v, %v", resp, err)
	}
	h.checkClean(t)
}

func TestStreamFailure(t *testing.T) {
	h := newFakeHost()
	h.answer = func(generateRequest) (Response, Errno) { return Response{}, ErrBackend }
	useHost(t, h)
	s, err := Stream(context.Background(), Prompt("x"))
	if err != nil {
		t.Fatal(err)
	}
	var errs int
	for _, err := range s.Chunks() {
		if !errors.Is(err, ErrBackend) {
			t.Errorf("chunk error = %v, want ErrBackend", err)
		}
		errs++
	}
	if errs != 1 {
		t.Errorf("Chunks yielded %d errors, want 1", errs)
	}
	if _, err := s.Result(); !errors.Is(err, ErrBackend) {
		t.Errorf("Result error = %v, want ErrBackend", err)
	}
	h.checkClean(t)
}

func TestStreamDeadline(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Stream(ctx, Request{Messages: []Message{UserMessage("a")}, MaxTokens: 9})
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for _, err := range s.Chunks() {
		last = err
	}
	// The chunks come at once, but the call does not finish before the deadline.
	if !errors.Is(last, context.DeadlineExceeded) {
		t.Errorf("last chunk error = %v, want DeadlineExceeded", last)
	}
	if _, err := s.Result(); err == nil {
		t.Error("Result after the deadline succeeded")
	}
	h.checkClean(t)
}

func TestStreamCancel(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	s, err := Stream(context.Background(), Request{Messages: []Message{UserMessage("a b c")}, MaxTokens: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Cancel(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Result(); !errors.Is(err, ErrCanceled) {
		t.Errorf("Result after Cancel: error = %v, want ErrCanceled", err)
	}
	h.checkClean(t)
}
