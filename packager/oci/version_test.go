package oci

import (
	"slices"
	"strings"
	"testing"
)

func TestCompareVersions(t *testing.T) {
	ordered := []string{"1.0.0-01", "1.2", "latest", "stable", "v1.0.0", "0.9.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.2.0", "1.10.0", "10.0.0", "18446744073709551616.0.0"}
	shuffled := slices.Clone(ordered)
	slices.Reverse(shuffled)
	slices.SortFunc(shuffled, compareVersions)
	if !slices.Equal(shuffled, ordered) {
		t.Fatalf("sorted\n %v\nwant\n %v", shuffled, ordered)
	}
}

func TestBarLine(t *testing.T) {
	line := barLine(Event{Digest: "sha256:0123456789abcdef0123", MediaType: LayerMediaType, Size: 2 << 20, Done: 1 << 20})
	for _, want := range []string{"sha256:0123456789ab ", " 50% ", "1.0MiB/2.0MiB", "[==============="} {
		if !strings.Contains(line, want) {
			t.Errorf("bar %q lacks %q", line, want)
		}
	}
	var out strings.Builder
	bar := Bar(&out)
	bar(Event{MediaType: ConfigMediaType, Size: 10, Done: 10, Complete: true})
	bar(Event{Digest: "sha256:ab", MediaType: LayerMediaType, Size: 10, Done: 10, Complete: true})
	if strings.Count(out.String(), "\n") != 1 || !strings.Contains(out.String(), "100%") {
		t.Fatalf("bar output %q", out.String())
	}
}
