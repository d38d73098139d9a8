package benchtable

import (
	"strings"
	"testing"
)

const out = `goos: linux
BenchmarkNoop/wazero-2     	 1000000	       100.0 ns/op	       0 B/op
BenchmarkNoop/wazero-2     	 1000000	       120.0 ns/op	       0 B/op
BenchmarkNoop/wazero-2     	 1000000	       110.0 ns/op	       0 B/op
BenchmarkNoop/wasmtime-2   	 1000000	       330.0 ns/op	       0 B/op
PASS
`

func TestParseMedians(t *testing.T) {
	s, err := Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 4 {
		t.Fatalf("got %d samples, want 4 (two benchmarks × two units): %+v", len(s), s)
	}
	if s[0].Name != "BenchmarkNoop/wazero" || s[0].Unit != "ns/op" || s[0].Median() != 110 {
		t.Errorf("first sample = %s %s median %v, want BenchmarkNoop/wazero ns/op 110", s[0].Name, s[0].Unit, s[0].Median())
	}
}

func TestWriteRatio(t *testing.T) {
	s, _ := Parse(strings.NewReader(out))
	var b strings.Builder
	err := Write(&b, s, []string{"ns/op"}, func(n string) string { return strings.Replace(n, "wasmtime", "wazero", 1) })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "3.00x") {
		t.Errorf("want wasmtime/wazero ratio 3.00x in:\n%s", b.String())
	}
	if strings.Contains(b.String(), "B/op") {
		t.Errorf("unit filter ignored:\n%s", b.String())
	}
}

func TestMedianEven(t *testing.T) {
	if m := (Sample{Values: []float64{4, 1, 3, 2}}).Median(); m != 2.5 {
		t.Errorf("median = %v, want 2.5", m)
	}
}
