package cli

import (
	"strings"
	"testing"

	"github.com/aiosys/aios/kernel"
)

func TestEventPrinterTerminalTokens(t *testing.T) {
	var out strings.Builder
	p := newEventPrinter(&out, true, false)
	// A multi-byte rune and a "\r\n" each split across two chunks, a forged status line and an
	// escape.
	for _, text := range []string{"caf\xc3", "\xa9 ok\r", "\naios: fake\x1b[2J", "\n", "tail\xe2\x9c"} {
		p.event(kernel.Event{PID: 1, Name: "a", Kind: kernel.EventToken, Text: text})
	}
	p.event(kernel.Event{PID: 1, Name: "a", Kind: kernel.EventLog, Level: 1, Text: "x\ny"})
	p.flush()
	want := "llm: café ok\nllm: aios: fake\\x1b[2J\nllm: tail\\xe2\\x9c\ninfo: x\ninfo: y\n"
	if out.String() != want {
		t.Errorf("terminal output:\n%q\nwant\n%q", out.String(), want)
	}
}

func TestEventPrinterPipeTokens(t *testing.T) {
	var out strings.Builder
	p := newEventPrinter(&out, false, true)
	for _, text := range []string{"one\r\ntw", "o\n\nrogue[2] aios: x\r\x07"} {
		p.event(kernel.Event{PID: 1, Name: "rogue", Kind: kernel.EventToken, Text: text})
	}
	p.flush()
	want := "rogue[1] llm: one\nrogue[1] llm: two\nrogue[1] llm: \n[1] llm: rogue[2] aios: x\\r\\x07\n"
	if out.String() != want {
		t.Errorf("pipe output:\n%q\nwant\n%q", out.String(), want)
	}
}
