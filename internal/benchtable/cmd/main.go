// Command benchtable reads `go test -bench` output on standard input and prints medians with
// ratios against baselines from the same run.
//
//	go test -run '^$' -bench . -count 5 ./runtime | go run ./internal/benchtable/cmd -base '/wazero=/wazero'
//
// -base OLD=NEW rules map a benchmark's name to its baseline's name by replacing OLD with NEW
// (first matching rule wins); without a match, a benchmark has no baseline.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/aiosys/aios/internal/benchtable"
)

type rules []string

func (r *rules) String() string     { return strings.Join(*r, ",") }
func (r *rules) Set(v string) error { *r = append(*r, v); return nil }

func main() {
	var base rules
	units := flag.String("units", "ns/op", "comma-separated units to show (e.g. ns/op,B/op,p50-ns)")
	flag.Var(&base, "base", "OLD=NEW: the baseline of a benchmark whose name contains OLD is that name with NEW (repeatable)")
	flag.Parse()
	samples, err := benchtable.Parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	if len(samples) == 0 {
		fmt.Fprintln(os.Stderr, "benchtable: no benchmark results on standard input")
		os.Exit(1)
	}
	baseline := func(name string) string {
		for _, r := range base {
			old, repl, ok := strings.Cut(r, "=")
			if ok && strings.Contains(name, old) {
				return strings.Replace(name, old, repl, 1)
			}
		}
		return ""
	}
	if err := benchtable.Write(os.Stdout, samples, strings.Split(*units, ","), baseline); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}
