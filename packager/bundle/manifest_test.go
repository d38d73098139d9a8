package bundle

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseManifestNormalizes(t *testing.T) {
	m, err := ParseManifest([]byte(`
name = "agent"
version = "0.1.0-beta.1"
[capabilities]
tools = ["b", "a"]
calls = ["msg_send", "agent_spawn"]
[limits]
memory = "65536 KiB"
output = "10MB"
stack = "4096"
wall_time = "90s"
[budgets]
usd = "007.500"
`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Schema != ManifestSchema {
		t.Errorf("schema %d", m.Schema)
	}
	if !slices.Equal(m.Capabilities.Tools, []string{"a", "b"}) {
		t.Errorf("tools not sorted: %v", m.Capabilities.Tools)
	}
	if !slices.Equal(m.Capabilities.Calls, []string{"agent_spawn", "msg_send"}) {
		t.Errorf("calls not sorted: %v", m.Capabilities.Calls)
	}
	l := m.Limits
	if l.Memory != "64MiB" || l.Output != "10000000B" || l.Stack != "4KiB" || l.WallTime != "1m30s" {
		t.Errorf("limits not normalized: %+v", l)
	}
	if m.Budgets.USD != "7.5" {
		t.Errorf("usd = %q, want 7.5", m.Budgets.USD)
	}
}

func TestParseManifestRejects(t *testing.T) {
	cases := map[string]string{
		"unknown key":        "name = \"a\"\nversion = \"1.0.0\"\ncolour = \"red\"",
		"unknown limit":      "name = \"a\"\nversion = \"1.0.0\"\n[limits]\nmemroy = \"1MiB\"",
		"missing name":       "version = \"1.0.0\"",
		"bad name":           "name = \"Bad Name\"\nversion = \"1.0.0\"",
		"bad version":        "name = \"a\"\nversion = \"1.0\"",
		"build metadata":     "name = \"a\"\nversion = \"1.0.0+abc\"",
		"duplicate tool":     "name = \"a\"\nversion = \"1.0.0\"\n[capabilities]\ntools = [\"x\", \"x\"]",
		"empty model":        "name = \"a\"\nversion = \"1.0.0\"\n[capabilities]\nmodels = [\"\"]",
		"bad size":           "name = \"a\"\nversion = \"1.0.0\"\n[limits]\nmemory = \"lots\"",
		"zero size":          "name = \"a\"\nversion = \"1.0.0\"\n[limits]\nmemory = \"0MiB\"",
		"bad duration":       "name = \"a\"\nversion = \"1.0.0\"\n[limits]\ncpu_time = \"soon\"",
		"negative in_flight": "name = \"a\"\nversion = \"1.0.0\"\n[limits]\nin_flight = -1",
		"negative tokens":    "name = \"a\"\nversion = \"1.0.0\"\n[budgets]\ntokens = -5",
		"float usd":          "name = \"a\"\nversion = \"1.0.0\"\n[budgets]\nusd = 0.5",
		"bad usd":            "name = \"a\"\nversion = \"1.0.0\"\n[budgets]\nusd = \"1e3\"",
		"control char":       "name = \"a\"\nversion = \"1.0.0\"\ndescription = \"a\\u0007b\"",
		"not toml":           "name = ",
		"oversized":          "name = \"a\"\nversion = \"1.0.0\"\ndescription = \"" + strings.Repeat("x", MaxManifestSize) + "\"",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseManifest([]byte(src)); !errors.Is(err, ErrInvalidManifest) {
				t.Fatalf("err = %v, want ErrInvalidManifest", err)
			}
		})
	}
}

func TestMarshalCanonical(t *testing.T) {
	m := testManifest(t)
	a, err := m.MarshalCanonical()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"authors":["Ada <ada@example.com>"],"budgets":{"tokens":100000,"usd":"0.5"},` +
		`"capabilities":{"memory":["notes"],"models":["claude","gpt-4o-mini"],"tools":["http_fetch"]},` +
		`"description":"Summarizes text.","license":"Apache-2.0","limits":{"cpu_time":"30s","in_flight":8,"memory":"64MiB"},` +
		`"name":"summarizer","schema":1,"version":"1.2.0"}`
	if string(a) != want {
		t.Fatalf("canonical form\n got %s\nwant %s", a, want)
	}
	// A hand-built manifest in another order encodes to the same bytes.
	m.Capabilities.Models = []string{"gpt-4o-mini", "claude"}
	m.Budgets.USD = "0.500"
	b, err := m.MarshalCanonical()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Fatalf("not canonical: %s", b)
	}
	if m.Capabilities.Models[0] != "gpt-4o-mini" {
		t.Fatal("MarshalCanonical changed the caller's slice")
	}
}

func TestDecodeManifestRejectsNonCanonical(t *testing.T) {
	good, err := testManifest(t).MarshalCanonical()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeManifest(good); err != nil {
		t.Fatalf("canonical manifest refused: %v", err)
	}
	s := string(good)
	cases := map[string]string{
		"whitespace":    strings.Replace(s, `"name":`, `"name": `, 1),
		"unknown field": strings.Replace(s, `"name":`, `"zzz":1,"name":`, 1),
		"duplicate key": strings.Replace(s, `"name":"summarizer"`, `"name":"summarizer","name":"other"`, 1),
		"unsorted set":  strings.Replace(s, `["claude","gpt-4o-mini"]`, `["gpt-4o-mini","claude"]`, 1),
		"trailing":      s + " {}",
		"wrong schema":  strings.Replace(s, `"schema":1`, `"schema":2`, 1),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := decodeManifest([]byte(data)); !errors.Is(err, ErrInvalidManifest) {
				t.Fatalf("err = %v, want ErrInvalidManifest", err)
			}
		})
	}
}

func TestLimitsResolve(t *testing.T) {
	l, err := testManifest(t).Limits.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if l.Memory != 64<<20 || l.CPUTime != 30*time.Second || l.InFlight != 8 || l.WallTime != 0 {
		t.Fatalf("resolved %+v", l)
	}
	if _, err := (Limits{Memory: "huge"}).Resolve(); !errors.Is(err, ErrInvalidManifest) {
		t.Fatalf("err = %v", err)
	}
}

func TestSizeRoundTrip(t *testing.T) {
	for in, want := range map[string]uint64{"1": 1, "2KiB": 2048, "3 MiB": 3 << 20, "1GiB": 1 << 30, "5KB": 5000} {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Fatalf("%q: %d, %v", in, got, err)
		}
		back, err := parseSize(formatSize(got))
		if err != nil || back != got {
			t.Fatalf("%q: format %q back %d %v", in, formatSize(got), back, err)
		}
	}
	if _, err := parseSize("99999999999999GiB"); err == nil {
		t.Fatal("overflow accepted")
	}
}
