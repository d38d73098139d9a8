package aios

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestGenerateBlocking(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	resp, err := Generate(context.Background(), Request{Model: "small", Messages: []Message{UserMessage("Say hello")}, Temperature: Temperature(0.2)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "echo: Say hello" || resp.FinishReason != "stop" || resp.Core != "echo" {
		t.Errorf("response = %+v", resp)
	}
	if len(h.requests) != 1 || h.requests[0].Model != "small" || *h.requests[0].Temperature != 0.2 || h.requests[0].Stream {
		t.Errorf("host saw requests %+v", h.requests)
	}
	h.checkClean(t)
}

func TestGenerateFailure(t *testing.T) {
	h := newFakeHost()
	h.answer = func(generateRequest) (Response, Errno) { return Response{}, ErrPermission }
	useHost(t, h)
	_, err := Generate(context.Background(), Prompt("x"))
	var e *Error
	if !errors.Is(err, ErrPermission) || !errors.As(err, &e) || e.Call != "llm_generate" {
		t.Errorf("Generate error = %v, want EPERM from llm_generate", err)
	}
	h.checkClean(t)
}

func TestGenerateWithDeadlineFinishes(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp, err := Generate(ctx, Prompt("quick"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "echo: quick" {
		t.Errorf("text = %q", resp.Text)
	}
	h.checkClean(t)
}

func TestGenerateDeadlineCancelsCall(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// MaxTokens is the fake call's duration: it cannot finish within any deadline.
	_, err := Generate(ctx, Request{Messages: []Message{UserMessage("slow")}, MaxTokens: 5})
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Generate error = %v, want ErrTimeout and DeadlineExceeded", err)
	}
	h.checkClean(t)
}

func TestGenerateCanceledContext(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, Prompt("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Generate error = %v, want context.Canceled", err)
	}
	if len(h.requests) != 0 {
		t.Errorf("host saw %d requests after cancellation, want 0", len(h.requests))
	}
}

func TestGenerateInvalidRequestNotSent(t *testing.T) {
	h := newFakeHost()
	useHost(t, h)
	if _, err := Generate(context.Background(), Request{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Generate error = %v, want ErrInvalid", err)
	}
	if len(h.requests) != 0 {
		t.Errorf("host saw %d requests, want 0", len(h.requests))
	}
}
