// Command rogue is a plain Go program (GOOS=wasip1 GOARCH=wasm) that tries to mislead the
// operator who runs it: its log line, stdout and run output hold newlines, carriage returns and
// terminal escapes that would forge aios's own status lines and clear the screen, and it may
// exit with one of the codes aios uses for its own causes. The CLI's tests run it to show that
// none of that reaches the terminal as such, and that the summary says whose exit code it is.
//
//	rogue [CODE]    exits with CODE (default 0)
package main

import (
	"fmt"
	"os"
	"strconv"
	"unsafe"
)

// hostile is what the agent says everywhere it can.
const hostile = "a\naios: fake\r\x1b[2J"

//go:wasmimport aios log
func rawLog(level uint32, ptr unsafe.Pointer, n uint32) uint32

//go:wasmimport aios output
func rawOutput(ptr unsafe.Pointer, n uint32) uint32

func main() {
	msg := []byte(hostile)
	if rawLog(1, unsafe.Pointer(&msg[0]), uint32(len(msg))) != 0 {
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "b\raios: rogue[2] stderr\x1b]0;title\x07")
	if rawOutput(unsafe.Pointer(&msg[0]), uint32(len(msg))) != 0 {
		os.Exit(1)
	}
	code := 0
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "rogue: exit code:", err)
			os.Exit(2)
		}
		code = n
	}
	os.Exit(code)
}
