package cli

import (
	"bufio"
	"context"
	"strings"
	"testing"

	"github.com/aiosys/aios/kernel"
	"github.com/aiosys/aios/policy"
)

func TestTerminalConfirmer(t *testing.T) {
	var out strings.Builder
	c := &terminalConfirmer{in: bufio.NewReader(strings.NewReader("y\nno\n")), out: &out}
	q := kernel.Confirmation{PID: 4, Agent: policy.Agent{Name: "writer", Version: "1.0"}, Call: "memory_delete",
		Args: map[string]any{"space": "notes"}}
	for i, want := range []bool{true, false} {
		ok, err := c.confirm(context.Background(), q)
		if err != nil || ok != want {
			t.Fatalf("answer %d: %v %v, want %v", i, ok, err, want)
		}
	}
	if _, err := c.confirm(context.Background(), q); err == nil {
		t.Error("end of input confirmed a call")
	}
	for _, s := range []string{"writer[4]", "memory_delete", `{"space":"notes"}`, "[y/N]"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("prompt %q does not show %q", out.String(), s)
		}
	}
}

func TestConfirmerNeedsATerminal(t *testing.T) {
	if newConfirmer(&IOStreams{In: strings.NewReader(""), Out: &strings.Builder{}, ErrOut: &strings.Builder{}}) != nil {
		t.Error("a confirmer without a terminal")
	}
}
