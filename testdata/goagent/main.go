// Command goagent is a plain Go program built with GOOS=wasip1 GOARCH=wasm: the runtime's
// tests run it unchanged to show that standard Go programs work on the virtual WASI subset.
// It reports what it sees on stdout and exits with code 3.
package main

import (
	"fmt"
	"io"
	"math/rand"
	"os"
	"strings"
	"time"
)

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "read stdin:", err)
		os.Exit(1)
	}
	start := time.Now()
	time.Sleep(time.Millisecond)
	n := rand.Intn(1000)
	fmt.Printf("args=%s\n", strings.Join(os.Args[1:], ","))
	fmt.Printf("env=%s\n", os.Getenv("GREETING"))
	fmt.Printf("stdin=%s\n", in)
	fmt.Printf("rand-in-range=%t\n", n >= 0 && n < 1000)
	fmt.Printf("clock-advances=%t\n", time.Since(start) > 0)
	os.Exit(3)
}
