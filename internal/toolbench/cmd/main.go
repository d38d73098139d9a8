// Command toolbench reads the output of BenchmarkToolCall (package toolbench) on standard input
// and prints, per tool and path, the median over runs of the p50 and p99 latencies, and what
// the path adds at p50 to the direct call measured in the same run, with the ratio of the two.
//
//	go test -run '^$' -bench ToolCall -benchtime 1x -count 3 ./internal/toolbench | go run ./internal/toolbench/cmd
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/aiosys/aios/internal/benchtable"
)

// paths are the metric prefixes BenchmarkToolCall reports, baseline first, and what they are.
var paths = []struct{ prefix, label string }{
	{"direct", "direct (baseline)"},
	{"source", "aios source alone"},
	{"manager", "aios tools.Manager"},
	{"noaudit", "aios kernel, audit off"},
	{"aios", "aios kernel, audit on"},
}

func main() {
	samples, err := benchtable.Parse(os.Stdin)
	if err == nil && len(samples) == 0 {
		err = fmt.Errorf("no benchmark results on standard input")
	}
	if err == nil {
		err = write(os.Stdout, samples)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "toolbench:", err)
		os.Exit(1)
	}
}

// write prints one row per benchmark and path that has a p50.
func write(w io.Writer, samples []benchtable.Sample) error {
	medians := map[string]map[string]benchtable.Sample{} // benchmark → unit → sample
	var order []string
	for _, s := range samples {
		if medians[s.Name] == nil {
			medians[s.Name] = map[string]benchtable.Sample{}
			order = append(order, s.Name)
		}
		medians[s.Name][s.Unit] = s
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tpath\tp50 µs\tp99 µs\tadded p50 µs\tratio p50\truns\t")
	for _, name := range order {
		units := medians[name]
		base, hasBase := units["direct-p50-us"]
		for _, p := range paths {
			p50, ok := units[p.prefix+"-p50-us"]
			if !ok {
				continue
			}
			added, ratio := "-", "-"
			if hasBase && p.prefix != "direct" && base.Median() != 0 {
				added = fmt.Sprintf("%.1f", p50.Median()-base.Median())
				ratio = fmt.Sprintf("%.2fx", p50.Median()/base.Median())
			}
			p99 := "-"
			if s, ok := units[p.prefix+"-p99-us"]; ok {
				p99 = fmt.Sprintf("%.1f", s.Median())
			}
			fmt.Fprintf(tw, "%s\t%s\t%.1f\t%s\t%s\t%s\t%d\t\n", strings.TrimPrefix(name, "BenchmarkToolCall/"), p.label,
				p50.Median(), p99, added, ratio, len(p50.Values))
		}
	}
	return tw.Flush()
}
