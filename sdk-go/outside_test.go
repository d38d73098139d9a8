//go:build !wasip1

package aios

import (
	"context"
	"errors"
	"testing"
)

func TestOutsideAIOSEveryCallFails(t *testing.T) {
	if _, err := Input(); !errors.Is(err, ErrNotInAIOS) {
		t.Errorf("Input error = %v, want ErrNotInAIOS", err)
	}
	if err := Output([]byte("x")); !errors.Is(err, ErrNotInAIOS) {
		t.Errorf("Output error = %v, want ErrNotInAIOS", err)
	}
	if err := Log(LevelInfo, "x"); !errors.Is(err, ErrNotInAIOS) {
		t.Errorf("Log error = %v, want ErrNotInAIOS", err)
	}
	if _, err := Generate(context.Background(), Prompt("x")); !errors.Is(err, ErrNotInAIOS) {
		t.Errorf("Generate error = %v, want ErrNotInAIOS", err)
	}
	if _, err := Submit(Prompt("x")); !errors.Is(err, ErrNotInAIOS) {
		t.Errorf("Submit error = %v, want ErrNotInAIOS", err)
	}
	if _, err := Stream(context.Background(), Prompt("x")); !errors.Is(err, ErrNotInAIOS) {
		t.Errorf("Stream error = %v, want ErrNotInAIOS", err)
	}
	if _, err := Mem().Search(context.Background(), "x"); !errors.Is(err, ErrNotInAIOS) {
		t.Errorf("Search error = %v, want ErrNotInAIOS", err)
	}
	if _, err := Store().StartGet("k"); !errors.Is(err, ErrNotInAIOS) {
		t.Errorf("StartGet error = %v, want ErrNotInAIOS", err)
	}
	if _, err := CallTool(context.Background(), "t", nil); !errors.Is(err, ErrNotInAIOS) {
		t.Errorf("CallTool error = %v, want ErrNotInAIOS", err)
	}
}
