package config

import (
	"strings"
	"testing"
)

func TestCoreContextWindow(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, "[[cores]]\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:8000/v1\"\ncontext_window = 1024\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Cores[0].ContextWindow; got != 1024 {
		t.Fatalf("context_window = %d, want 1024", got)
	}
	_, err = Load(writeFile(t, dir, "[[cores]]\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:8000/v1\"\ncontext_window = -5\n"))
	if err == nil || !strings.Contains(err.Error(), "context_window -5 is negative") {
		t.Fatalf("negative context_window: err = %v", err)
	}
}
