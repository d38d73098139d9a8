// Command goreactor is a Go agent built as a reactor (GOOS=wasip1 GOARCH=wasm go build
// -buildmode=c-shared): its package initialisation runs in _initialize and its body in the
// aios_main export, through aios.Main. The runtime's tests run it with and without
// pre-initialisation (runtime/preinit) and compare what it reports; like testdata/goagent it
// reports what it sees on stdout and exits with code 3.
package main

import (
	"fmt"
	"io"
	"math/rand"
	"os"
	"sort"
	"strings"
	"time"

	aios "github.com/aiosys/aios/sdk-go"
)

// squares is built during initialisation, so a pre-initialised module carries it in its data.
var squares = func() map[int]int {
	m := make(map[int]int, 1000)
	for i := range 1000 {
		m[i] = i * i
	}
	return m
}()

func main() {}

//go:wasmexport aios_main
func aiosMain() { aios.Main(run) }

func run() error {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	start := time.Now()
	time.Sleep(time.Millisecond)
	n := rand.Intn(1000)
	keys := make([]int, 0, len(squares))
	for k := range squares {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	sum := 0
	for _, k := range keys {
		sum += squares[k]
	}
	fmt.Printf("args=%s\n", strings.Join(os.Args[1:], ","))
	fmt.Printf("env=%s\n", os.Getenv("GREETING"))
	fmt.Printf("stdin=%s\n", in)
	fmt.Printf("squares=%d sum=%d\n", len(squares), sum)
	fmt.Printf("rand-in-range=%t\n", n >= 0 && n < 1000)
	fmt.Printf("clock-advances=%t\n", time.Since(start) > 0)
	if err := aios.Output([]byte("out:" + string(in))); err != nil {
		return err
	}
	os.Exit(3)
	return nil
}
