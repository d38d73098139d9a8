// Package benchtable turns `go test -bench` output into a table of medians, with each
// benchmark's ratio to a baseline measured in the same run.
package benchtable

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Sample is one benchmark's measurements of one unit across -count runs.
type Sample struct {
	Name   string // e.g. "BenchmarkStart/wazero/minimal"
	Unit   string // e.g. "ns/op"
	Values []float64
}

// Median returns the sample's median.
func (s Sample) Median() float64 {
	v := slices.Clone(s.Values)
	slices.Sort(v)
	n := len(v)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// Parse reads `go test -bench` output. Each result line contributes a value per unit
// ("ns/op", "B/op", custom metrics such as "p50-µs"); the -N GOMAXPROCS suffix is dropped.
func Parse(r io.Reader) ([]Sample, error) {
	var order []string
	byKey := map[string]*Sample{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := trimProcs(f[0])
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			key := name + "\x00" + f[i+1]
			s := byKey[key]
			if s == nil {
				s = &Sample{Name: name, Unit: f[i+1]}
				byKey[key] = s
				order = append(order, key)
			}
			s.Values = append(s.Values, v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read benchmark output: %w", err)
	}
	out := make([]Sample, 0, len(order))
	for _, k := range order {
		out = append(out, *byKey[k])
	}
	return out, nil
}

func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}

// Write prints one row per sample in units: the median, the number of runs, and the ratio to
// the baseline: the sample whose name is baseline(name) with the same unit, if there is one.
func Write(w io.Writer, samples []Sample, units []string, baseline func(name string) string) error {
	find := map[string]Sample{}
	for _, s := range samples {
		find[s.Name+"\x00"+s.Unit] = s
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "benchmark\tunit\tmedian\truns\tbaseline\tratio\t")
	for _, s := range samples {
		if !slices.Contains(units, s.Unit) {
			continue
		}
		base, ratio := "-", "-"
		if b, ok := find[baseline(s.Name)+"\x00"+s.Unit]; ok && b.Name != s.Name && b.Median() != 0 {
			base = b.Name
			ratio = fmt.Sprintf("%.2fx", s.Median()/b.Median())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t\n", s.Name, s.Unit, format(s.Median()), len(s.Values), base, ratio)
	}
	return tw.Flush()
}

func format(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}
